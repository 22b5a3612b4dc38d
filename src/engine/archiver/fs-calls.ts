/**
 * The walker's file-system calls. Metadata calls (lstat, readdir, readlink, open, close)
 * are synchronous, on purpose: a backup is a batch job whose main thread orchestrates, and
 * each async call costs a round trip through libuv's thread pool that, with the encoder
 * workers keeping both cores busy, costs several times the system call itself. Reads stay
 * asynchronous, so that many files' data can be in flight when the page cache is cold.
 * Measured on 20,000 files (backup wall time, cold / warm cache): all async 7.4 / 8.0 s,
 * all sync 7.5 / 6.0 s, this mix 6.7 / 6.3 s.
 */
import * as fs from 'node:fs';

export async function lstat(p: fs.PathLike): Promise<fs.BigIntStats> {
  return fs.lstatSync(p, { bigint: true });
}

export async function statFollowing(p: fs.PathLike): Promise<fs.BigIntStats> {
  return fs.statSync(p, { bigint: true });
}

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens the regular file that lstat described. A file replaced since by a symlink is not
 * followed (O_NOFOLLOW), one replaced by a FIFO does not block (O_NONBLOCK), and anything
 * that is no longer the same regular file is refused, so that no other content can end up
 * under this name.
 */
export async function openRegularFile(p: fs.PathLike, expectedInode: bigint): Promise<number> {
  return openRegularFileSync(p, expectedInode);
}

/** openRegularFile on the calling thread: the encoder workers read small files with it. */
export function openRegularFileSync(p: fs.PathLike, expectedInode: bigint): number {
  const fd = fs.openSync(p, OPEN_FLAGS);
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (!st.isFile() || st.ino !== expectedInode) throw new Error('changed while being backed up (no longer the same regular file)');
    return fd;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

export async function closeFd(fd: number): Promise<void> {
  fs.closeSync(fd);
}

export async function readdirWithTypes(p: fs.PathLike): Promise<fs.Dirent<Buffer>[]> {
  return fs.readdirSync(p, { encoding: 'buffer', withFileTypes: true });
}

export async function readlinkRaw(p: fs.PathLike): Promise<Buffer> {
  return fs.readlinkSync(p, { encoding: 'buffer' });
}

/** Reads `length` bytes at `position` without blocking the main thread. */
export function readAt(fd: number, buffer: Uint8Array, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}
