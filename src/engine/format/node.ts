/**
 * Tree blobs: `{"nodes":[...]}\n` (doc 7.1, 7.2). The writer reproduces restic 0.14's
 * bytes exactly (field order, omit-if-zero, Go string escaping, Go-quoted names), so a
 * tree we write for the same metadata has the same ID as restic's.
 */
import { internalError } from '../errors.ts';
import { isId, NULL_ID, type Id } from './id.ts';
import {
  arrayField,
  asObject,
  base64Value,
  bigIntField,
  idValue,
  MAX_UINT32,
  MAX_UINT64,
  nullableArrayField,
  optionalIdField,
  stringField,
  timeField,
  toBase64,
  uintField,
} from './fields.ts';
import { compareNames, quoteName, unquoteName } from './go-quote.ts';
import { goJsonString, parseJson } from './json.ts';
import { formatTime } from './time.ts';

export type NodeType = 'file' | 'dir' | 'symlink' | 'dev' | 'chardev' | 'fifo' | 'socket';

/** The node types restic 0.14 knows (its `check` rejects anything else). */
export const NODE_TYPES: readonly NodeType[] = ['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket'];

export interface ExtendedAttribute {
  name: string;
  /** null is Go's nil []byte (JSON null); an empty array is written as "". */
  value: Uint8Array | null;
}

export interface TreeNode {
  /** Raw name bytes (may be invalid UTF-8). */
  name: Uint8Array;
  /** A {@link NodeType} when written by restic 0.14; kept as a string when read. */
  type: string;
  /** Go os.FileMode (see mode.ts); left out when 0/undefined. */
  mode?: number;
  /** Nanoseconds since the epoch. */
  mtime: bigint;
  atime: bigint;
  ctime: bigint;
  uid: number;
  gid: number;
  user?: string;
  group?: string;
  inode?: bigint;
  deviceId?: bigint;
  size?: number;
  links?: bigint;
  linktarget?: string;
  extendedAttributes?: ExtendedAttribute[];
  device?: bigint;
  /** Data blob IDs of a file ([] for an empty file); null for every other type. */
  content: Id[] | null;
  subtree?: Id;
  error?: string;
}

// ---------------------------------------------------------------------------- writing

function checkUint(v: number, max: number, field: string, who: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw internalError(`${who}: ${field} ${v} is not a valid unsigned integer`);
  return v;
}

function checkUint64(v: bigint, field: string, who: string): bigint {
  if (v < 0n || v > MAX_UINT64) throw internalError(`${who}: ${field} ${v} out of uint64 range`);
  return v;
}

function checkId(id: Id, field: string, who: string): Id {
  if (!isId(id) || id === NULL_ID) throw internalError(`${who}: ${field} is not a valid non-zero ID: ${JSON.stringify(id)}`);
  return id;
}

function nodeJson(n: TreeNode, quotedName: string): string {
  const who = `tree node ${JSON.stringify(quotedName)}`;
  let s = '{"name":' + goJsonString(quotedName) + ',"type":' + goJsonString(n.type);
  if (n.mode !== undefined && n.mode !== 0) s += ',"mode":' + checkUint(n.mode, 0xffff_ffff, 'mode', who);
  s += ',"mtime":"' + formatTime(n.mtime) + '"';
  s += ',"atime":"' + formatTime(n.atime) + '"';
  s += ',"ctime":"' + formatTime(n.ctime) + '"';
  s += ',"uid":' + checkUint(n.uid, 0xffff_ffff, 'uid', who);
  s += ',"gid":' + checkUint(n.gid, 0xffff_ffff, 'gid', who);
  if (n.user) s += ',"user":' + goJsonString(n.user);
  if (n.group) s += ',"group":' + goJsonString(n.group);
  if (n.inode) s += ',"inode":' + checkUint64(n.inode, 'inode', who);
  if (n.deviceId) s += ',"device_id":' + checkUint64(n.deviceId, 'deviceId', who);
  if (n.size) s += ',"size":' + checkUint(n.size, Number.MAX_SAFE_INTEGER, 'size', who);
  if (n.links) s += ',"links":' + checkUint64(n.links, 'links', who);
  if (n.linktarget) s += ',"linktarget":' + goJsonString(n.linktarget);
  if (n.extendedAttributes && n.extendedAttributes.length > 0) {
    s += ',"extended_attributes":[';
    n.extendedAttributes.forEach((xa, i) => {
      if (i > 0) s += ',';
      s += '{"name":' + goJsonString(xa.name) + ',"value":' + (xa.value === null ? 'null' : '"' + toBase64(xa.value) + '"') + '}';
    });
    s += ']';
  }
  if (n.device) s += ',"device":' + checkUint64(n.device, 'device', who);
  if (n.content === null) {
    if (n.type === 'file') throw internalError(`${who}: a file needs content ([] when empty), not null`);
    s += ',"content":null';
  } else {
    s += ',"content":[' + n.content.map((id) => '"' + checkId(id, 'content ID', who) + '"').join(',') + ']';
  }
  if (n.subtree !== undefined) s += ',"subtree":"' + checkId(n.subtree, 'subtree', who) + '"';
  else if (n.type === 'dir') throw internalError(`${who}: a dir needs a subtree`);
  if (n.error) s += ',"error":' + goJsonString(n.error);
  return s + '}';
}

/**
 * restic's exact tree bytes: `{"nodes":[...]}\n`, compact, restic's field order and
 * omit-if-zero rules, names Go-quoted. Nodes are sorted by raw name bytes. Throws an
 * Internal error on an empty or duplicate name, a file whose content is null, a dir
 * without a (non-zero) subtree, invalid IDs or out-of-range numbers/times.
 */
export function serializeTree(nodes: readonly TreeNode[]): Uint8Array {
  const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const n = sorted[i]!;
    const quoted = quoteName(n.name);
    if (n.name.length === 0) throw internalError('tree node with an empty name');
    if (i > 0 && compareNames(sorted[i - 1]!.name, n.name) === 0) {
      throw internalError(`duplicate name in tree: ${JSON.stringify(quoted)}`);
    }
    parts.push(nodeJson(n, quoted));
  }
  return new TextEncoder().encode('{"nodes":[' + parts.join(',') + ']}\n');
}

// ---------------------------------------------------------------------------- reading


function parseNode(v: unknown, what: string): TreeNode {
  const o = asObject(v, what);
  const name = unquoteName(stringField(o, 'name', what));
  const node: TreeNode = {
    name,
    type: stringField(o, 'type', what),
    mtime: timeField(o, 'mtime', what),
    atime: timeField(o, 'atime', what),
    ctime: timeField(o, 'ctime', what),
    uid: uintField(o, 'uid', what, MAX_UINT32),
    gid: uintField(o, 'gid', what, MAX_UINT32),
    content: null,
  };
  const mode = uintField(o, 'mode', what, MAX_UINT32);
  if (mode !== 0) node.mode = mode;
  const user = stringField(o, 'user', what);
  if (user !== '') node.user = user;
  const group = stringField(o, 'group', what);
  if (group !== '') node.group = group;
  const inode = bigIntField(o, 'inode', what, 0n, MAX_UINT64);
  if (inode !== 0n) node.inode = inode;
  const deviceId = bigIntField(o, 'device_id', what, 0n, MAX_UINT64);
  if (deviceId !== 0n) node.deviceId = deviceId;
  const size = uintField(o, 'size', what);
  if (size !== 0) node.size = size;
  const links = bigIntField(o, 'links', what, 0n, MAX_UINT64);
  if (links !== 0n) node.links = links;
  const linktarget = stringField(o, 'linktarget', what);
  if (linktarget !== '') node.linktarget = linktarget;
  const xattrs = arrayField(o, 'extended_attributes', what);
  if (xattrs.length > 0) {
    node.extendedAttributes = xattrs.map((x, i) => {
      const xw = `${what} extended_attributes[${i}]`;
      const xo = asObject(x, xw);
      const value = xo['value'];
      return {
        name: stringField(xo, 'name', xw),
        value: value === undefined || value === null ? null : base64Value(value, `${xw} value`),
      };
    });
  }
  const device = bigIntField(o, 'device', what, 0n, MAX_UINT64);
  if (device !== 0n) node.device = device;
  const content = nullableArrayField(o, 'content', what);
  if (content !== null) node.content = content.map((id, i) => idValue(id, `${what} content[${i}]`));
  const subtree = optionalIdField(o, 'subtree', what);
  if (subtree !== undefined) node.subtree = subtree;
  const error = stringField(o, 'error', what);
  if (error !== '') node.error = error;
  return node;
}

/**
 * Reads a tree blob. Tolerant like restic: any whitespace and field order, missing
 * optional fields (zero values; a missing time is Go's zero time), unknown fields
 * (e.g. 0.17's linktarget_raw, generic_attributes), xattr value null. Node order is
 * kept as stored. Throws an Integrity error on invalid JSON, wrongly typed fields,
 * invalid IDs or names that Go's Unquote rejects. Safety rules (sorted, unique,
 * non-empty, no `/` or `..` in names, known types) are the caller's business.
 */
export function parseTree(bytes: Uint8Array): TreeNode[] {
  const doc = asObject(parseJson(bytes, 'tree'), 'tree');
  return arrayField(doc, 'nodes', 'tree').map((v, i) => parseNode(v, `tree node ${i}`));
}
