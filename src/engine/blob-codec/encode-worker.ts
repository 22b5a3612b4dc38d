/**
 * The encoder pool's worker thread: compresses and encrypts each blob of a batch with
 * the codec, and sends back `IV || ciphertext || 16 spare bytes` for the main thread's
 * MAC; or hashes a blob (its id) and sends it back with the id. Inputs go back too: the main thread owns all memory, so no garbage waits in this
 * isolate for a late collection.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isMarkedAsUntransferable, parentPort } from 'node:worker_threads';
import { openRegularFileSync } from '../archiver/fs-calls.ts';
import { errorMessage } from '../errors.ts';
import { encryptBlob } from './codec-core.ts';
import { collectYoungGarbage } from '../support/young-garbage.ts';
import type { EncodeBatch, EncodeResult } from './encoder-pool.ts';

parentPort!.on('message', ({ batch, key, jobs }: EncodeBatch) => {
  const results: EncodeResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const { data, level, rawIfLarger, hashLength, readPath, readInode, readSize } of jobs) {
    try {
      if (readPath !== undefined) {
        const result = readSmallFile(readPath, readInode!, readSize!);
        results.push(result);
        if (result.id !== undefined) transfer.push(result.data.buffer as ArrayBuffer);
        continue;
      }
      if (!data) throw new Error('no data');
      if (hashLength !== undefined) {
        results.push({ id: createHash('sha256').update(data.subarray(0, hashLength)).digest('hex'), data });
        const input = data.buffer as ArrayBuffer;
        if (!transfer.includes(input) && !isMarkedAsUntransferable(input)) transfer.push(input);
        continue;
      }
      if (!key) throw new Error('no key for an encode job');
      const { framed, compressed } = encryptBlob(key, data, { level, rawIfLarger });
      results.push({ framed, compressed });
      transfer.push(framed.buffer as ArrayBuffer);
      const input = data.buffer as ArrayBuffer;
      if (!transfer.includes(input) && !isMarkedAsUntransferable(input)) transfer.push(input);
    } catch (e) {
      results.push({ error: errorMessage(e) });
    }
  }
  parentPort!.postMessage({ batch, results }, transfer);
  // This batch's dead buffers (zstd's and OpenSSL's outputs) go now, not 64 MiB later.
  collectYoungGarbage();
});

/**
 * The archiver's small-file read, on this thread: open as the archiver does (no symlink
 * followed, no FIFO waited on, nothing but the regular file lstat saw), read
 * exactly `size` bytes (a file that holds more is `grown`: the caller streams it), hash.
 */
function readSmallFile(pathBytes: Uint8Array, inode: bigint, size: number): EncodeResult {
  let fd: number;
  try {
    fd = openRegularFileSync(Buffer.from(pathBytes.buffer, pathBytes.byteOffset, pathBytes.byteLength), inode);
  } catch (e) {
    return { error: errorMessage(e), fileError: true };
  }
  try {
    const data = new Uint8Array(size);
    let n = 0;
    // Short reads happen on network and FUSE file systems without the file having ended.
    while (n < size) {
      const got = fs.readSync(fd, data, n, size - n, n);
      if (got === 0) break;
      n += got;
    }
    if (n < size) return { id: createHash('sha256').update(data.subarray(0, n)).digest('hex'), data: data.slice(0, n) };
    if (fs.readSync(fd, Buffer.alloc(1), 0, 1, n) > 0) return { error: 'grown', grown: true };
    return { id: createHash('sha256').update(data).digest('hex'), data };
  } catch (e) {
    return { error: errorMessage(e), fileError: true };
  } finally {
    fs.closeSync(fd);
  }
}
