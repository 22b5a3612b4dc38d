/**
 * Go `os.FileMode` as restic stores it in a node's `mode` (doc 7.3). The type and
 * special bits sit at Go's own positions, not POSIX's. Values can exceed 2^31, so all
 * arithmetic here stays unsigned (`>>> 0` / addition, never a signed result).
 */
import type { NodeType } from './node.ts';

/** Go os.FileMode bits. */
export const GoMode = {
  Dir: 0x8000_0000,
  Append: 0x4000_0000,
  Exclusive: 0x2000_0000,
  Temporary: 0x1000_0000,
  Symlink: 0x0800_0000,
  Device: 0x0400_0000,
  NamedPipe: 0x0200_0000,
  Socket: 0x0100_0000,
  Setuid: 0x0080_0000,
  Setgid: 0x0040_0000,
  CharDevice: 0x0020_0000,
  Sticky: 0x0010_0000,
  Irregular: 0x0008_0000,
  Perm: 0o777,
} as const;

/** POSIX st_mode bits (Linux values; identical on the BSDs and macOS). */
export const UnixMode = {
  S_IFMT: 0o170000,
  S_IFSOCK: 0o140000,
  S_IFLNK: 0o120000,
  S_IFREG: 0o100000,
  S_IFBLK: 0o060000,
  S_IFDIR: 0o040000,
  S_IFCHR: 0o020000,
  S_IFIFO: 0o010000,
  S_ISUID: 0o4000,
  S_ISGID: 0o2000,
  S_ISVTX: 0o1000,
} as const;

function toNumber(mode: number | bigint): number {
  return typeof mode === 'bigint' ? Number(mode & 0xffff_ffffn) : mode >>> 0;
}

/**
 * restic's stored mode for an `fs.Stats.mode` (number or bigint): Go's FileMode from
 * stat, masked to perm | type | setuid | setgid | sticky. Dir 0755 → 2147484141.
 * An unknown S_IFMT gives the permission bits only (as Go does).
 */
export function goModeFromUnix(unixMode: number | bigint): number {
  const m = toNumber(unixMode);
  let go = m & GoMode.Perm;
  switch (m & UnixMode.S_IFMT) {
    case UnixMode.S_IFBLK: go += GoMode.Device; break;
    case UnixMode.S_IFCHR: go += GoMode.Device + GoMode.CharDevice; break;
    case UnixMode.S_IFDIR: go += GoMode.Dir; break;
    case UnixMode.S_IFIFO: go += GoMode.NamedPipe; break;
    case UnixMode.S_IFLNK: go += GoMode.Symlink; break;
    case UnixMode.S_IFSOCK: go += GoMode.Socket; break;
    default: break; // regular file (or unknown): no type bit
  }
  if (m & UnixMode.S_ISUID) go += GoMode.Setuid;
  if (m & UnixMode.S_ISGID) go += GoMode.Setgid;
  if (m & UnixMode.S_ISVTX) go += GoMode.Sticky;
  return go;
}

/** The chmod argument for a stored mode: permission bits plus setuid/setgid/sticky. */
export function unixPermFromGoMode(goMode: number): number {
  const m = goMode >>> 0;
  let perm = m & GoMode.Perm;
  if (m & GoMode.Setuid) perm |= UnixMode.S_ISUID;
  if (m & GoMode.Setgid) perm |= UnixMode.S_ISGID;
  if (m & GoMode.Sticky) perm |= UnixMode.S_ISVTX;
  return perm;
}

/**
 * The full POSIX st_mode (S_IFMT type + perm + special bits) for a stored mode, or the
 * perm/special bits only when no type bit is set (regular file: S_IFREG is added).
 */
export function unixModeFromGoMode(goMode: number): number {
  const m = goMode >>> 0;
  let type: number;
  if (m & GoMode.Dir) type = UnixMode.S_IFDIR;
  else if (m & GoMode.Symlink) type = UnixMode.S_IFLNK;
  else if (m & GoMode.Device) type = m & GoMode.CharDevice ? UnixMode.S_IFCHR : UnixMode.S_IFBLK;
  else if (m & GoMode.NamedPipe) type = UnixMode.S_IFIFO;
  else if (m & GoMode.Socket) type = UnixMode.S_IFSOCK;
  else type = UnixMode.S_IFREG;
  return type | unixPermFromGoMode(m);
}

/** The restic node type for an `fs.Stats.mode`, or undefined for an unknown file type. */
export function nodeTypeFromUnix(unixMode: number | bigint): NodeType | undefined {
  switch (toNumber(unixMode) & UnixMode.S_IFMT) {
    case UnixMode.S_IFREG: return 'file';
    case UnixMode.S_IFDIR: return 'dir';
    case UnixMode.S_IFLNK: return 'symlink';
    case UnixMode.S_IFBLK: return 'dev';
    case UnixMode.S_IFCHR: return 'chardev';
    case UnixMode.S_IFIFO: return 'fifo';
    case UnixMode.S_IFSOCK: return 'socket';
    default: return undefined;
  }
}

/** Go's FileMode.String(): type letters (`d`, `L`, `D`, `p`, `S`, `u`, `g`, `c`, `t`, ...) or `-`, then rwxrwxrwx. */
export function goModeString(goMode: number): string {
  const m = goMode >>> 0;
  const letters = 'dalTLDpSugct?';
  let out = '';
  for (let i = 0; i < letters.length; i++) if (m & (2 ** (31 - i))) out += letters[i];
  if (out === '') out = '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) out += m & (1 << (8 - i)) ? rwx[i] : '-';
  return out;
}

/** The Go type bits restic 0.14's listings add to a node's mode for its type. */
export function goTypeBits(nodeType: string): number {
  switch (nodeType) {
    case 'dir': return GoMode.Dir;
    case 'symlink': return GoMode.Symlink;
    case 'dev': return GoMode.Device;
    case 'chardev': return GoMode.Device + GoMode.CharDevice;
    case 'fifo': return GoMode.NamedPipe;
    case 'socket': return GoMode.Socket;
    default: return 0;
  }
}
