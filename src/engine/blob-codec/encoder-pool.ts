/**
 * Compression and encryption of blobs on worker threads (encode-worker.ts, with the
 * codec's `encryptBlob`), so that both cores do the heavy work while the main thread
 * reads and chunks; the same workers compute blob ids (`hash`), so that SHA-256 runs
 * beside the chunker instead of after it. The main thread then writes the Poly1305-AES MAC into the
 * returned buffer (`finishSealedBlob`): the WebAssembly MAC stays in one place, and the
 * buffer is never copied again.
 *
 * Dedicated threads (not libuv's pool, which async zlib uses) keep this work from queueing
 * in front of file-system calls, and batching keeps the per-message cost small for the
 * many small blobs of a source tree.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlobStoreOptions } from './codec-core.ts';
import { ownsItsMemory, WORKER_LIMITS, workerUrl } from '../support/worker-threads.ts';

/** One message to a worker: blobs to encode (all with the batch's key) and blobs to hash. */
export interface EncodeBatch {
  batch: number;
  key: Uint8Array | undefined;
  jobs: WorkerJob[];
}

/**
 * Encode `data`; or (with `hashLength`) hash its first `hashLength` bytes and send it back;
 * or (with `readPath`) read the small regular file at that path, which must still be inode
 * `readInode` of `readSize` bytes, and send back its bytes and id.
 */
export type WorkerJob = { data: Uint8Array | undefined; hashLength?: number; readPath?: Uint8Array; readInode?: bigint; readSize?: number } & BlobStoreOptions;

/** A worker's answer for one blob. */
export type EncodeResult =
  | { framed: Uint8Array; compressed: boolean; error?: undefined; id?: undefined }
  | { id: string; data: Uint8Array; error?: undefined; framed?: undefined }
  | { error: string; framed?: undefined; id?: undefined; fileError?: boolean; grown?: boolean };

/** A blob id computed by a worker, with the buffer it was computed from, which moved there and back. */
export interface HashedBlob {
  id: string;
  data: Uint8Array;
}

/**
 * A small file read by a worker: its bytes and id; or the file system's error; or `grown`
 * when it held more than the size asked for (the caller then reads it as a stream).
 */
export type ReadFileResult = { ok: true; blob: HashedBlob } | { ok: false; grown: true } | { ok: false; grown?: false; message: string };

/** A batch is sent when it holds this many bytes, or at the end of the current tick. */
const BATCH_BYTES = 512 * 1024;
/** Batches in flight per worker: one being worked on, one waiting, so no worker idles. */
const BATCHES_PER_WORKER = 2;

export interface EncodeOptions extends BlobStoreOptions {
  /** The AES-256 key (MasterKey.encrypt). */
  encryptKey: Uint8Array;
}

export interface EncodedBlob {
  /** `IV || AES-256-CTR(stored) || 16 spare bytes` for the MAC. */
  framed: Uint8Array;
  /** Whether `stored` is a zstd frame (else the plaintext itself). */
  compressed: boolean;
}

type Job =
  | { kind: 'encode'; data: Uint8Array; opts: EncodeOptions; resolve: (r: EncodedBlob) => void; reject: (e: Error) => void }
  | { kind: 'hash'; data: Uint8Array; length: number; resolve: (r: HashedBlob) => void; reject: (e: Error) => void }
  | { kind: 'read'; path: Uint8Array; inode: bigint; size: number; resolve: (r: ReadFileResult) => void; reject: (e: Error) => void };

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  /** Batches sent to this worker and not answered yet. */
  batches: Set<number>;
}

export class BlobEncoderPool {
  readonly #workers: PoolWorker[] = [];
  readonly #size: number;
  readonly #queue: Job[][] = [];
  readonly #pending = new Map<number, Job[]>();
  #open: Job[] = [];
  /** The key of the encode jobs in the open batch: a batch carries one. */
  #openKey: Uint8Array | undefined;
  #openBytes = 0;
  #pumpScheduled = false;
  #nextBatch = 0;

  constructor(size = availableParallelism()) {
    this.#size = Math.max(1, size);
  }

  /**
   * Compresses and encrypts `data`, which the pool takes over: a buffer that owns its
   * whole memory moves to the worker instead of being copied, so it must not be used
   * afterwards.
   */
  encode(data: Uint8Array, opts: EncodeOptions): Promise<EncodedBlob> {
    return new Promise((resolve, reject) => {
      // One batch shares one key: start a new batch when the key changes.
      if (this.#openKey !== undefined && this.#openKey !== opts.encryptKey) this.#sealOpen();
      this.#openKey = opts.encryptKey;
      this.#add({ kind: 'encode', data, opts, resolve, reject });
    });
  }

  /**
   * The SHA-256 (blob id) of `data`'s first `length` bytes, computed on a worker. `data`
   * moves there and back when it owns its memory (else it is copied): the caller gets it
   * back with the id and must not touch it meanwhile.
   */
  hash(data: Uint8Array, length = data.byteLength): Promise<HashedBlob> {
    return new Promise((resolve, reject) => this.#add({ kind: 'hash', data, length, resolve, reject }));
  }

  /**
   * Reads a small regular file on a worker (open, check, read, close and SHA-256 there, off
   * this thread): its open refuses a symlink and does not block on a FIFO, and a file that
   * is no longer inode `inode` is refused, as the archiver's own open does (fs-calls.ts).
   */
  readSmallFile(path: Uint8Array, inode: bigint, size: number): Promise<ReadFileResult> {
    return new Promise((resolve, reject) => this.#add({ kind: 'read', path, inode, size, resolve, reject }));
  }

  #add(job: Job): void {
    this.#open.push(job);
    this.#openBytes += job.kind === 'hash' ? job.length : job.kind === 'read' ? job.size + 256 : job.data.byteLength;
    if (this.#openBytes >= BATCH_BYTES) this.#sealOpen();
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      setImmediate(() => {
        this.#pumpScheduled = false;
        this.#pump();
      });
    }
  }

  #sealOpen(): void {
    if (this.#open.length === 0) return;
    this.#queue.push(this.#open);
    this.#open = [];
    this.#openKey = undefined;
    this.#openBytes = 0;
  }

  /**
   * Sends work to workers with room for it. A partial batch goes out only when a worker
   * has room and nothing fuller is waiting: when the workers are busy, blobs gather into
   * larger batches instead of one message each.
   */
  #pump(): void {
    for (;;) {
      const target = this.#idleWorker();
      if (!target) return;
      if (this.#queue.length === 0) this.#sealOpen();
      const jobs = this.#queue.shift();
      if (!jobs) return;
      const batch = this.#nextBatch++;
      this.#pending.set(batch, jobs);
      target.batches.add(batch);
      // A worker with work keeps the process alive; an idle one does not.
      if (target.inFlight++ === 0) target.worker.ref();
      const transfer: ArrayBuffer[] = [];
      for (const j of jobs) {
        if (j.kind !== 'read' && ownsItsMemory(j.data) && !transfer.includes(j.data.buffer as ArrayBuffer)) transfer.push(j.data.buffer as ArrayBuffer);
      }
      const message: EncodeBatch = {
        batch,
        key: jobs.find((j) => j.kind === 'encode')?.opts.encryptKey,
        jobs: jobs.map((j): WorkerJob => {
          if (j.kind === 'hash') return { data: j.data, hashLength: j.length, level: 0, rawIfLarger: false };
          if (j.kind === 'read') return { data: undefined, readPath: j.path, readInode: j.inode, readSize: j.size, level: 0, rawIfLarger: false };
          return { data: j.data, level: j.opts.level, rawIfLarger: j.opts.rawIfLarger };
        }),
      };
      target.worker.postMessage(message, transfer);
    }
  }

  #idleWorker(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of this.#workers) if (w.inFlight < BATCHES_PER_WORKER && (!best || w.inFlight < best.inFlight)) best = w;
    if (best && best.inFlight === 0) return best;
    if (this.#workers.length < this.#size) return this.#spawn();
    return best;
  }

  #spawn(): PoolWorker {
    const worker = new Worker(workerUrl(import.meta.url, 'encode-worker'), { resourceLimits: WORKER_LIMITS });
    const entry: PoolWorker = { worker, inFlight: 0, batches: new Set() };
    worker.on('message', ({ batch, results }: { batch: number; results: EncodeResult[] }) => {
      const jobs = this.#pending.get(batch);
      if (!jobs || !entry.batches.delete(batch)) return; // already failed with its worker
      this.#pending.delete(batch);
      if (--entry.inFlight === 0) worker.unref();
      jobs.forEach((job, i) => {
        const r = results[i];
        if (job.kind === 'encode' && r?.framed) job.resolve({ framed: r.framed, compressed: r.compressed });
        else if (job.kind === 'hash' && r?.id !== undefined) job.resolve({ id: r.id, data: r.data });
        else if (job.kind === 'read' && r?.id !== undefined) job.resolve({ ok: true, blob: { id: r.id, data: r.data } });
        else if (job.kind === 'read' && r?.error !== undefined && r.grown) job.resolve({ ok: false, grown: true });
        else if (job.kind === 'read' && r?.error !== undefined && r.fileError) job.resolve({ ok: false, message: r.error });
        else job.reject(new Error(`${job.kind === 'encode' ? 'encoding' : job.kind === 'hash' ? 'hashing' : 'reading'} a blob failed: ${r?.error ?? 'no result'}`));
      });
      this.#pump();
    });
    const lost = (e: Error) => this.#retire(entry, e);
    worker.on('error', lost);
    worker.on('messageerror', lost);
    worker.on('exit', (code) => lost(new Error(`blob encoder worker exited with code ${code}`)));
    worker.unref();
    this.#workers.push(entry);
    return entry;
  }

  /**
   * A worker that failed or exited: its unanswered batches fail, and it leaves the pool,
   * so new work goes to the others (or to a fresh worker).
   */
  #retire(entry: PoolWorker, e: Error): void {
    const at = this.#workers.indexOf(entry);
    if (at < 0) return;
    this.#workers.splice(at, 1);
    for (const batch of entry.batches) {
      const jobs = this.#pending.get(batch);
      this.#pending.delete(batch);
      for (const j of jobs ?? []) j.reject(e);
    }
    entry.batches.clear();
    void entry.worker.terminate().catch(() => {});
    this.#pump();
  }
}


let shared: BlobEncoderPool | undefined;

/** The process-wide pool, started on first use. */
export function sharedBlobEncoderPool(): BlobEncoderPool {
  shared ??= new BlobEncoderPool();
  return shared;
}
