/**
 * How `ls` and `find` print snapshots and nodes: restic 0.14's text lines and JSON
 * objects, field for field, so that scripts written against restic's output keep
 * working. Shared by the CLI and the action.
 *
 * Known differences: node and snapshot times are printed in UTC (`Z`, `+0000 UTC`):
 * restic prints the zone a time was stored with, which is UTC for anything backed up on
 * a UTC machine (CI runners) but not otherwise. In text, names that are not valid UTF-8
 * are printed as their raw bytes by nodeLineBytes (the CLI) and as U+FFFD by nodeLine
 * (the action's log); JSON has \ufffd for them, as Go's encoder writes.
 */
import { formatTime, goModeString, goTypeBits, type SnapshotEntry, type TreeNode } from '../engine/index.ts';

/**
 * Go's encoding/json escapes these in strings (HTML safety, and U+FFFD for bytes that are
 * not UTF-8, which is what a decoded name holds in their place); JSON.stringify does not.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's `%v` of a []string: `[a b c]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** Go's time.Time String() for a UTC time: `2026-12-05 23:38:00.123456789 +0000 UTC`. */
export function goTimeString(ns: bigint): string {
  return `${formatTime(ns).replace('T', ' ').replace('Z', '')} +0000 UTC`;
}

/** restic's TimeFormat (`2006-01-02 15:04:05`) in this process's local time zone. */
export function localTimeText(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `ls`'s first line (restic prints it unless --quiet). */
export function lsSnapshotLine(s: SnapshotEntry, dirs: readonly string[]): string {
  return `snapshot ${s.id.slice(0, 8)} of ${goList(s.snapshot.paths)} filtered by ${goList(dirs)} at ${goTimeString(s.snapshot.time)}):`;
}

/** `ls --json`'s first line: the snapshot's stored fields, then id, short_id, struct_type. */
export function lsSnapshotJson(s: SnapshotEntry): string {
  const sn = s.snapshot;
  return goJson({
    time: formatTime(sn.time),
    ...(sn.parent ? { parent: sn.parent } : {}),
    tree: sn.tree,
    paths: sn.paths,
    ...(sn.hostname ? { hostname: sn.hostname } : {}),
    ...(sn.username ? { username: sn.username } : {}),
    ...(sn.uid ? { uid: sn.uid } : {}),
    ...(sn.gid ? { gid: sn.gid } : {}),
    ...(sn.excludes?.length ? { excludes: sn.excludes } : {}),
    ...(sn.tags?.length ? { tags: sn.tags } : {}),
    ...(sn.original ? { original: sn.original } : {}),
    id: s.id,
    short_id: s.id.slice(0, 8),
    struct_type: 'snapshot',
  });
}

/** A node as `ls` and `find` print it: the path, or with `long` restic's `ls -l`-like line. */
export function nodeLine(path: string, node: TreeNode, long: boolean): string {
  return long ? `${longPrefix(node)}${path}${linkSuffix(node)}` : path;
}

/**
 * The same line in bytes, with the path as the snapshot has it: restic prints names that
 * are not UTF-8 as their raw bytes, and so does the CLI. Ends with a newline.
 */
export function nodeLineBytes(rawPath: Uint8Array, node: TreeNode, long: boolean): Buffer {
  if (!long) return Buffer.concat([rawPath, NEWLINE]);
  return Buffer.concat([Buffer.from(longPrefix(node)), rawPath, Buffer.from(`${linkSuffix(node)}\n`)]);
}

const NEWLINE = Buffer.from('\n');

function longPrefix(node: TreeNode): string {
  const mode = goModeString((goTypeBits(node.type) | (node.mode ?? 0)) >>> 0);
  const num = (n: number, w: number) => String(n).padStart(w);
  return `${mode} ${num(node.uid, 5)} ${num(node.gid, 5)} ${num(node.size ?? 0, 6)} ${localTimeText(node.mtime)} `;
}

function linkSuffix(node: TreeNode): string {
  return node.type === 'symlink' ? ` -> ${node.linktarget ?? ''}` : '';
}

const utf8 = new TextDecoder();

/** A node as `ls --json` prints it, one object per line; `size` only for files (also when 0). */
export function lsNodeJson(path: string, node: TreeNode): string {
  return goJson({
    name: utf8.decode(node.name),
    type: node.type,
    path,
    uid: node.uid,
    gid: node.gid,
    ...(node.type === 'file' ? { size: node.size ?? 0 } : {}),
    ...(node.mode ? { mode: node.mode } : {}),
    permissions: goModeString(node.mode ?? 0),
    mtime: formatTime(node.mtime),
    atime: formatTime(node.atime),
    ctime: formatTime(node.ctime),
    struct_type: 'node',
  });
}

/** A match as `find --json` prints it: path and permissions, then the node's stored fields except name, inode, xattrs, device, content, subtree. */
export function findNodeJson(path: string, node: TreeNode): Record<string, unknown> {
  return {
    path,
    permissions: goModeString(node.mode ?? 0),
    type: node.type,
    ...(node.mode ? { mode: node.mode } : {}),
    mtime: formatTime(node.mtime),
    atime: formatTime(node.atime),
    ctime: formatTime(node.ctime),
    uid: node.uid,
    gid: node.gid,
    ...(node.user ? { user: node.user } : {}),
    ...(node.group ? { group: node.group } : {}),
    ...(node.deviceId ? { device_id: Number(node.deviceId) } : {}),
    ...(node.size ? { size: node.size } : {}),
    ...(node.links ? { links: Number(node.links) } : {}),
    ...(node.linktarget ? { linktarget: node.linktarget } : {}),
    ...(node.error ? { error: node.error } : {}),
  };
}

/** `find`'s header before each snapshot's matches (restic prints it unless --quiet). */
export function findSnapshotLine(s: SnapshotEntry): string {
  return `Found matching entries in snapshot ${s.id.slice(0, 8)} from ${localTimeText(s.snapshot.time)}`;
}

/**
 * `find --json`: one array of `{"matches":[...],"hits":N,"snapshot":"<id>"}`, written as
 * the matches come (restic's shape: the snapshot id follows its matches).
 */
export class FindJsonWriter {
  readonly #write: (text: string) => void;
  #current: string | undefined;
  #hits = 0;
  #started = false;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  match(s: SnapshotEntry, path: string, node: TreeNode): void {
    let text = this.#started ? '' : '[';
    this.#started = true;
    if (s.id !== this.#current) {
      if (this.#current !== undefined) text += `],"hits":${this.#hits},"snapshot":"${this.#current}"},`;
      text += '{"matches":[';
      this.#current = s.id;
      this.#hits = 0;
    }
    if (this.#hits > 0) text += ',';
    this.#write(text + goJson(findNodeJson(path, node)));
    this.#hits++;
  }

  finish(): void {
    if (this.#current !== undefined) this.#write(`],"hits":${this.#hits},"snapshot":"${this.#current}"}`);
    this.#write(this.#started ? ']\n' : '[]\n');
  }
}
