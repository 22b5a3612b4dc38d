/**
 * The restore pool's worker thread. For each blob of a batch (its MAC already checked on
 * the main thread) it decrypts, decompresses and checks the id with the codec, and only
 * then writes the plaintext to every place it belongs: at a position in a file the main
 * thread holds open, or as a whole new file (created O_EXCL|O_NOFOLLOW, owner, mode and
 * times set on the descriptor, renamed into place when overwriting). The plaintext never
 * travels back to the main thread.
 */
import { createSecretKey } from 'node:crypto';
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeAuthenticatedBlob } from '../blob-codec/codec-core.ts';
import { collectYoungGarbage } from '../support/young-garbage.ts';
import { errorMessage } from '../errors.ts';
import type { BlobJobResult, WriterBatch, WriterWorkerData, WholeFileTarget } from './blob-writer-pool.ts';

const O = fs.constants;
const CREATE = O.O_WRONLY | O.O_CREAT | O.O_EXCL | O.O_NOFOLLOW;
const key = createSecretKey((workerData as WriterWorkerData).key);

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.byteLength) {
    const n = fs.writeSync(fd, data, done, data.byteLength - done, position + done);
    if (n <= 0) throw new Error('the file system accepted no bytes');
    done += n;
  }
}

/** Paths arrive as bytes (names need not be UTF-8); a Buffer view of them, without a copy. */
function pathOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeWholeFile(plain: Uint8Array, t: WholeFileTarget): void {
  const path = pathOf(t.path);
  const final = t.final && pathOf(t.final);
  const fd = fs.openSync(path, CREATE, 0o600);
  try {
    try {
      writeAll(fd, plain, 0);
      if (t.meta.chown) fs.fchownSync(fd, t.meta.uid, t.meta.gid);
      fs.fchmodSync(fd, t.meta.mode);
      fs.futimesSync(fd, t.meta.atime, t.meta.mtime);
    } finally {
      fs.closeSync(fd);
    }
    if (final) fs.renameSync(path, final);
  } catch (e) {
    // When overwriting, the old file stays and no temporary file is left behind.
    if (final) removeQuietly(path);
    throw e;
  }
}

function removeQuietly(path: Buffer): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // The write's own error is the one to report.
  }
}

parentPort!.on('message', ({ batch, buf, jobs }: WriterBatch) => {
  const results: BlobJobResult[] = [];
  for (const job of jobs) {
    let plain: Uint8Array;
    try {
      plain = decodeAuthenticatedBlob(key, buf.subarray(job.at, job.at + job.len), { id: job.id, uncompressedLength: job.ulen });
    } catch (e) {
      results.push({ error: errorMessage(e), integrity: true });
      continue;
    }
    const targets: (string | null)[] = [];
    for (const t of job.targets) {
      try {
        if ('path' in t) writeWholeFile(plain, t);
        else writeAll(t.fd, plain, t.pos);
        targets.push(null);
      } catch (e) {
        targets.push(errorMessage(e));
      }
    }
    results.push({ targets });
  }
  parentPort!.postMessage({ batch, results });
  // The pack and the decoded blobs are dead now: free them, not 64 MiB of them later.
  collectYoungGarbage();
});
