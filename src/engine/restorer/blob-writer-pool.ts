/**
 * Decoding and writing restored blobs on worker threads. The main thread reads a range of
 * a pack and checks each blob's MAC; a worker then decrypts (AES-256-CTR), decompresses
 * (zstd, bounded by the length the index declares), checks the SHA-256 against the blob
 * id, and only then writes the plaintext to every place it belongs:
 * - into a file the main thread holds open (`fd` + position), for files made of several
 *   blobs, which the main thread finishes once all of them are written;
 * - or, for a file that is exactly this one blob, the whole file: create it (O_EXCL,
 *   O_NOFOLLOW), write, set owner, mode and times on the descriptor, close, and rename a
 *   temporary name into place when overwriting. Most files of a source tree are one
 *   blob, so their system calls run on the workers, in parallel, not on the main thread.
 *
 * The plaintext never travels back to the main thread. Like the encoder pool, the worker
 * is a short script that needs only Node's own modules, so it runs unchanged from the
 * sources, the tests and the ncc bundle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const fs = require('node:fs');
const O = fs.constants;
const CREATE = O.O_WRONLY | O.O_CREAT | O.O_EXCL | O.O_NOFOLLOW;
const key = crypto.createSecretKey(Buffer.from(workerData.key));

function writeAll(fd, data, position) {
  let done = 0;
  while (done < data.byteLength) {
    const n = fs.writeSync(fd, data, done, data.byteLength - done, position + done);
    if (n <= 0) throw new Error('the file system accepted no bytes');
    done += n;
  }
}

function decode(buf, job) {
  const iv = buf.subarray(job.at, job.at + 16);
  const ciphertext = buf.subarray(job.at + 16, job.at + job.len - 16);
  let plain = crypto.createDecipheriv('aes-256-ctr', key, iv).update(ciphertext);
  if (job.ulen > 0) {
    try {
      plain = zlib.zstdDecompressSync(plain, { maxOutputLength: Math.max(1, job.ulen), chunkSize: Math.max(64, job.ulen) });
    } catch (e) {
      return { error: 'zstd data does not decompress to the declared ' + job.ulen + ' bytes' };
    }
    if (plain.byteLength !== job.ulen) return { error: 'zstd data decompressed to ' + plain.byteLength + ' bytes, ' + job.ulen + ' declared' };
  }
  if (crypto.createHash('sha256').update(plain).digest('hex') !== job.id) return { error: 'content does not match its id (SHA-256 mismatch)' };
  return { plain };
}

function writeWholeFile(plain, t) {
  const fd = fs.openSync(t.path, CREATE, 0o600);
  try {
    try {
      writeAll(fd, plain, 0);
      if (t.meta.chown) fs.fchownSync(fd, t.meta.uid, t.meta.gid);
      fs.fchmodSync(fd, t.meta.mode);
      fs.futimesSync(fd, t.meta.atime, t.meta.mtime);
    } finally {
      fs.closeSync(fd);
    }
    if (t.final) fs.renameSync(t.path, t.final);
  } catch (e) {
    // When overwriting, the old file stays and no temporary file is left behind.
    if (t.final) try { fs.unlinkSync(t.path); } catch {}
    throw e;
  }
}

parentPort.on('message', ({ batch, buf, jobs }) => {
  const results = [];
  for (const job of jobs) {
    let decoded;
    try {
      decoded = decode(buf, job);
    } catch (e) {
      decoded = { error: String((e && e.message) || e) };
    }
    if (decoded.error) {
      results.push({ error: decoded.error, integrity: true });
      continue;
    }
    const targets = [];
    for (const t of job.targets) {
      try {
        if (t.path) writeWholeFile(decoded.plain, t);
        else writeAll(t.fd, decoded.plain, t.pos);
        targets.push(null);
      } catch (e) {
        targets.push(String((e && e.message) || e));
      }
    }
    results.push({ targets });
  }
  parentPort.postMessage({ batch, results });
});
`;

/** The same small heaps as the encoder workers: their buffers live outside the V8 heap. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };
/** Batches in flight per worker: one being worked on, one waiting. */
const BATCHES_PER_WORKER = 2;

/** Owner, mode and times for a file the worker creates whole. */
export interface WholeFileMeta {
  /** Whether to fchown (only when running as root, as restic does). */
  chown: boolean;
  uid: number;
  gid: number;
  /** chmod bits, including setuid/setgid/sticky. */
  mode: number;
  /** Seconds for futimes (see times.ts). */
  atime: number;
  mtime: number;
}

export type WriteTarget =
  /** Write at `pos` into a descriptor the main thread keeps open. */
  | { fd: number; pos: number }
  /** Create the file at `path` holding exactly this blob, then rename it to `final` if set. */
  | { path: Uint8Array; final: Uint8Array | null; meta: WholeFileMeta };

export interface BlobJob {
  /** Offset of the sealed blob in the batch's buffer. */
  at: number;
  /** Stored length, IV and MAC included. */
  len: number;
  /** Plaintext length when compressed; 0 when stored raw. */
  ulen: number;
  /** Blob id: SHA-256 of the plaintext, hex. */
  id: string;
  targets: WriteTarget[];
}

/** A blob that failed to decode (nothing was written), or per-target write errors (null = written). */
export type BlobJobResult = { error: string; integrity: true; targets?: undefined } | { error?: undefined; targets: (string | null)[] };

interface PoolWorker {
  worker: Worker;
  inFlight: number;
}

interface Batch {
  buf: Uint8Array;
  jobs: BlobJob[];
  resolve: (r: BlobJobResult[]) => void;
  reject: (e: Error) => void;
}

export class BlobWriterPool {
  readonly #workers: PoolWorker[] = [];
  readonly #queue: Batch[] = [];
  readonly #pending = new Map<number, Batch>();
  #nextBatch = 0;
  #failure: Error | undefined;

  /** Starts `size` workers holding the repository's AES key. */
  constructor(encryptKey: Uint8Array, size = availableParallelism()) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: WORKER_LIMITS, workerData: { key: encryptKey } });
      const entry: PoolWorker = { worker, inFlight: 0 };
      worker.on('message', ({ batch, results }: { batch: number; results: BlobJobResult[] }) => {
        entry.inFlight--;
        const b = this.#pending.get(batch);
        this.#pending.delete(batch);
        b?.resolve(results);
        this.#dispatch();
      });
      worker.on('error', (e) => this.#failAll(e));
      worker.on('exit', (code) => {
        if (code !== 0) this.#failAll(new Error(`a restore worker exited with code ${code}`));
      });
      this.#workers.push(entry);
    }
  }

  /** The number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Decodes and writes the jobs' blobs from `buf`, which the pool takes over (it moves to
   * the worker when it owns its whole memory). Resolves with one result per job.
   */
  run(buf: Uint8Array, jobs: BlobJob[]): Promise<BlobJobResult[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ buf, jobs, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops the workers; batches still queued or running are rejected. */
  async close(): Promise<void> {
    this.#failAll(new Error('the restore worker pool was closed'));
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let target: PoolWorker | undefined;
      for (const w of this.#workers) if (w.inFlight < BATCHES_PER_WORKER && (!target || w.inFlight < target.inFlight)) target = w;
      if (!target) return;
      const b = this.#queue.shift()!;
      const batch = this.#nextBatch++;
      this.#pending.set(batch, b);
      target.inFlight++;
      const owns = b.buf.buffer instanceof ArrayBuffer && b.buf.byteOffset === 0 && b.buf.byteLength === b.buf.buffer.byteLength;
      target.worker.postMessage({ batch, buf: b.buf, jobs: b.jobs }, owns ? [b.buf.buffer as ArrayBuffer] : []);
    }
  }

  #failAll(e: Error): void {
    this.#failure ??= e;
    for (const b of this.#pending.values()) b.reject(e);
    this.#pending.clear();
    for (const b of this.#queue) b.reject(e);
    this.#queue.length = 0;
  }
}
