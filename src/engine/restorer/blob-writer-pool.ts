/**
 * Decoding and writing restored blobs on worker threads (blob-writer-worker.ts). The main
 * thread reads a range of a pack and checks each blob's MAC (`blobMacFailure`); a worker
 * then decrypts, decompresses and checks the id with the codec, and writes the plaintext
 * where it belongs: into a file the main thread holds open (`fd` + position), or, for a
 * file that is exactly this one blob, the whole file, created and finished on the worker.
 * Most files of a source tree are one blob, so their system calls run on the workers, in
 * parallel, not on the main thread. The plaintext never travels back to the main thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ownsItsMemory, WORKER_LIMITS, workerUrl } from '../support/worker-threads.ts';

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

/** Create the file at `path` holding exactly this blob, then rename it to `final` if set. */
export interface WholeFileTarget {
  path: Uint8Array;
  final: Uint8Array | null;
  meta: WholeFileMeta;
}

/** Write at `pos` into a descriptor the main thread keeps open. */
export interface PositionTarget {
  fd: number;
  pos: number;
}

export type WriteTarget = PositionTarget | WholeFileTarget;

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

/** The data every worker starts with. */
export interface WriterWorkerData {
  /** The AES-256 key (MasterKey.encrypt). */
  key: Uint8Array;
}

/** One message to a worker: a buffer of sealed blobs and what to do with each. */
export interface WriterBatch {
  batch: number;
  buf: Uint8Array;
  jobs: BlobJob[];
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
      const workerData: WriterWorkerData = { key: encryptKey };
      const worker = new Worker(workerUrl(import.meta.url, 'blob-writer-worker'), { resourceLimits: WORKER_LIMITS, workerData });
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
      const message: WriterBatch = { batch, buf: b.buf, jobs: b.jobs };
      target.worker.postMessage(message, ownsItsMemory(b.buf) ? [b.buf.buffer as ArrayBuffer] : []);
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
