/**
 * The file-system calls of the walker. Metadata calls and small reads are synchronous, on
 * purpose: a backup is a batch job whose main thread only orchestrates, and each async
 * call costs a round trip through libuv's thread pool (two thread wake-ups) that, with the
 * compression workers keeping both cores busy, cost several times the system call itself.
 * Measured on 20,000 small files: the async calls took most of the main thread's time.
 * Large files are still read asynchronously, in 4 MiB blocks (see content-saver.ts).
 */
import * as fs from 'node:fs';

export async function lstat(p: fs.PathLike): Promise<fs.BigIntStats> {
  return fs.lstatSync(p, { bigint: true });
}

export async function openForRead(p: fs.PathLike): Promise<number> {
  return fs.openSync(p, 'r');
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

/** Reads synchronously: used for small files, whose single read is cheaper than a hop. */
export async function readSmall(fd: number, buffer: Uint8Array, length: number): Promise<number> {
  return fs.readSync(fd, buffer, 0, length, 0);
}

/** Reads a block of a large file without blocking the main thread. */
export function readAt(fd: number, buffer: Uint8Array, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}
