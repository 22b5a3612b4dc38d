/**
 * Tar headers as restic 0.14's `dump` writes them through Go's archive/tar without
 * choosing a format: USTAR when the entry fits (the modification time rounded to whole
 * seconds, access and change times left out), else PAX (an extended header `x` entry
 * before the main header) for what USTAR cannot hold: non-ASCII or long names and link
 * targets, long or non-ASCII user and group names, large ids and sizes, extended
 * attributes. Same choices, same bytes, so both tools' archives list and extract alike.
 */
import { internalError } from '../errors.ts';

export const BLOCK_SIZE = 512;

export const TarType = { File: '0', Symlink: '2', Dir: '5', PaxHeader: 'x' } as const;
export type TarType = (typeof TarType)[keyof typeof TarType];

export interface TarEntry {
  /** Relative path in raw bytes (names need not be UTF-8); a directory's ends with `/`. */
  name: Uint8Array;
  type: TarType;
  /** Permission bits plus setuid/setgid/sticky (04000/02000/01000). */
  mode: number;
  uid: number;
  gid: number;
  /** The size field; only regular files are followed by data. */
  size: number;
  /** Seconds since the epoch (already rounded). */
  mtimeSeconds: number;
  linkname: string;
  uname: string;
  gname: string;
  /** Extra PAX records (extended attributes); any forces the PAX format. */
  paxRecords: ReadonlyMap<string, Uint8Array>;
}

const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
const OWNER_NAME_SIZE = 32;

/** The header block(s) for one entry: 512 bytes (USTAR), or a PAX entry and then the header. */
export function tarHeader(e: TarEntry): Uint8Array {
  // Go's rules: every string USTAR cannot hold becomes a PAX record, yet a long ASCII
  // name that splits into prefix and name still allows USTAR, which is preferred.
  const pax = new Map<string, Uint8Array>();
  let ustar = true;
  const text = (k: string, v: string | Uint8Array) => pax.set(k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  const checkString = (k: string, value: string | Uint8Array, size: number, splittable: boolean) => {
    const v = bytes(value);
    if (isAscii(v) && v.length <= size) return;
    text(k, v);
    if (!splittable || splitUstarPath(v) === undefined) ustar = false;
  };
  const checkNumber = (k: string, n: number, size: number) => {
    if (fitsOctal(size, n)) return;
    text(k, String(n));
    ustar = false;
  };
  checkString('path', e.name, NAME_SIZE, true);
  checkString('linkpath', e.linkname, NAME_SIZE, false);
  checkString('uname', e.uname, OWNER_NAME_SIZE, false);
  checkString('gname', e.gname, OWNER_NAME_SIZE, false);
  checkNumber('uid', e.uid, 8);
  checkNumber('gid', e.gid, 8);
  checkNumber('size', e.size, 12);
  checkNumber('mtime', e.mtimeSeconds, 12);
  for (const [k, v] of e.paxRecords) {
    if (!pax.has(k)) pax.set(k, v);
    ustar = false;
  }

  const name = bytes(e.name);
  if (ustar) {
    // A long name goes in two fields: the name field holds only the part after the cut.
    const split = name.length > NAME_SIZE ? splitUstarPath(name) : undefined;
    const block = headerBlock(e, split?.suffix ?? name);
    if (split) putString(block, 345, PREFIX_SIZE, split.prefix);
    return finish(block);
  }
  const data = paxData(pax);
  const slash = name.lastIndexOf(0x2f);
  const dir = latin1(toAscii(name.subarray(0, slash + 1)));
  const file = latin1(toAscii(name.subarray(slash + 1)));
  const paxName = joinPath(dir, 'PaxHeaders.0', file).slice(0, NAME_SIZE).replace(/\/+$/, '');
  const paxHead = new Uint8Array(BLOCK_SIZE);
  putString(paxHead, 0, NAME_SIZE, paxName);
  putOctal(paxHead, 100, 8, 0);
  putOctal(paxHead, 108, 8, 0);
  putOctal(paxHead, 116, 8, 0);
  putOctal(paxHead, 124, 12, data.length);
  putOctal(paxHead, 136, 12, 0);
  paxHead[156] = TarType.PaxHeader.charCodeAt(0);
  finish(paxHead);
  const main = finish(headerBlock(e, toAscii(name)));
  const out = new Uint8Array(BLOCK_SIZE + paddedLength(data.length) + BLOCK_SIZE);
  out.set(paxHead, 0);
  out.set(data, BLOCK_SIZE);
  out.set(main, BLOCK_SIZE + paddedLength(data.length));
  return out;
}

/** The zero padding after `size` bytes of data, up to the next block. */
export function paddedLength(size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
}

/** Two zero blocks end an archive (Go adds no further record padding). */
export const TAR_END = new Uint8Array(2 * BLOCK_SIZE);

function headerBlock(e: TarEntry, name: Uint8Array): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  putString(b, 0, NAME_SIZE, name);
  putOctal(b, 100, 8, e.mode);
  putOctal(b, 108, 8, e.uid);
  putOctal(b, 116, 8, e.gid);
  putOctal(b, 124, 12, e.size);
  putOctal(b, 136, 12, e.mtimeSeconds);
  b[156] = e.type.charCodeAt(0);
  putString(b, 157, NAME_SIZE, toAscii(bytes(e.linkname)));
  putString(b, 265, OWNER_NAME_SIZE, toAscii(bytes(e.uname)));
  putString(b, 297, OWNER_NAME_SIZE, toAscii(bytes(e.gname)));
  putOctal(b, 329, 8, 0);
  putOctal(b, 337, 8, 0);
  return b;
}

/** Magic "ustar\0" version "00" (USTAR and PAX alike), then the checksum. */
function finish(b: Uint8Array): Uint8Array {
  b.set(Buffer.from('ustar\x0000', 'latin1'), 257);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  putOctal(b, 148, 7, sum);
  b[155] = 0x20;
  return b;
}

/** Go's formatString: copy, NUL-terminate when shorter, and never leave a cut name ending in `/`. */
function putString(b: Uint8Array, at: number, size: number, value: string | Uint8Array): void {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  b.set(v.subarray(0, size), at);
  if (v.length < size) b[at + v.length] = 0;
  if (v.length > size && b[at + size - 1] === 0x2f) {
    let kept = size;
    while (kept > 0 && v[kept - 1] === 0x2f) kept--;
    b[at + kept] = 0;
  }
}

function bytes(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

/** Zero-padded octal leaving room for a NUL; a value that does not fit is written as 0 (PAX holds it). */
function putOctal(b: Uint8Array, at: number, size: number, n: number): void {
  const v = fitsOctal(size, n) ? n : 0;
  putString(b, at, size, v.toString(8).padStart(size - 1, '0'));
}

function fitsOctal(size: number, n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n < 8 ** (size - 1);
}

/** Go's isASCII: no byte at or above 0x80, no NUL. */
function isAscii(b: Uint8Array): boolean {
  return b.every((c) => c !== 0 && c < 0x80);
}

/** Go's toASCII: drops every character that is not ASCII (every byte of one, valid UTF-8 or not), and NULs. */
function toAscii(b: Uint8Array): Uint8Array {
  return isAscii(b) ? b : b.filter((c) => c !== 0 && c < 0x80);
}

/** Go's splitUSTARPath: a name over 100 bytes cut at a `/` into prefix (≤155) and name (≤100). */
function splitUstarPath(name: Uint8Array): { prefix: Uint8Array; suffix: Uint8Array } | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isAscii(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === 0x2f) length--;
  const i = name.subarray(0, length).lastIndexOf(0x2f);
  const suffixLength = name.length - i - 1;
  if (i <= 0 || suffixLength > NAME_SIZE || suffixLength === 0 || i > PREFIX_SIZE) return undefined;
  return { prefix: name.subarray(0, i), suffix: name.subarray(i + 1) };
}

/** Go's path.Join for these three parts: `dir/PaxHeaders.0/file`, cleaned of a trailing `/`. */
function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .join('/')
    .replace(/\/{2,}/g, '/')
    .replace(/(.)\/$/, '$1');
}

/** PAX records, sorted by key: `<length> <key>=<value>\n`, the length counting itself. */
function paxData(records: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const key of [...records.keys()].sort(compareBytes)) {
    const value = records.get(key)!;
    const keyBytes = Buffer.from(key, 'utf8');
    if (keyBytes.length === 0 || key.includes('=')) throw internalError(`invalid PAX record key ${JSON.stringify(key)}`);
    let size = keyBytes.length + value.length + 3;
    size += String(size).length;
    if (String(size).length + keyBytes.length + value.length + 3 !== size) size = String(size).length + keyBytes.length + value.length + 3;
    parts.push(Buffer.from(`${size} ${key}=`, 'utf8'), value, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
