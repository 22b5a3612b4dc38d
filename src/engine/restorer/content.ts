/**
 * Writing file contents: the blobs of every file are grouped by pack, each pack is read
 * in few ranges (neighbouring blobs in one request), every blob is checked (MAC here;
 * length and SHA-256 on a worker) and decoded once however many files or places use it,
 * and written with positional writes as it arrives, in whatever order packs come.
 * Memory is bounded by a byte budget on the pack ranges in flight; open descriptors are
 * bounded too (idle files are closed and reopened, never recreated).
 *
 * A file is finished (owner, mode, times, rename into place when overwriting) as soon as
 * its last blob is written. A missing pack or a blob that fails a check damages the files
 * that need it: they are reported, the rest carries on, and the caller fails the restore.
 */
import * as fs from 'node:fs';
import { isNotFound } from '../storage/errors.ts';
import { Semaphore } from '../support/concurrency.ts';
import { errorMessage, internalError, throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import type { Repository } from '../repository/repository.ts';
import { blobMacFailure } from '../blob-codec/blob-codec.ts';
import { BlobWriterPool, type BlobJob, type BlobJobResult, type WriteTarget } from './blob-writer-pool.ts';
import { applyMetaToFd, nodeMeta } from './metadata.ts';
import type { ContentBlob, PlannedFile } from './plan.ts';
import type { RestoreProblem } from './restore-error.ts';

const O = fs.constants;
const CREATE_FLAGS = O.O_WRONLY | O.O_CREAT | O.O_EXCL | O.O_NOFOLLOW;
const REOPEN_FLAGS = O.O_WRONLY | O.O_NOFOLLOW;

/** Needed blobs closer than this in a pack are read in one request, gap included. */
const MERGE_GAP_BYTES = 4 * 1024 * 1024;
/** A single read covers at most this much (one larger blob is read alone). */
const MAX_RANGE_BYTES = 32 * 1024 * 1024;
/** Stored bytes per message to a worker when ranges are cut into batches. */
const BATCH_BYTES = 1024 * 1024;

export interface FileToWrite {
  readonly file: PlannedFile;
  /** Where the content goes: the final path, or a temporary name beside it when overwriting. */
  readonly writePath: Buffer;
  /** When set, writePath is renamed to this once the file is complete. */
  readonly finalPath: Buffer | null;
}

export interface ContentOptions {
  asRoot: boolean;
  signal?: AbortSignal;
  /** Bytes of pack ranges between "read requested" and "written". @default 64 MiB */
  budgetBytes?: number;
  /** Decoding threads. @default the number of cores */
  workers?: number;
  /** Workers started earlier (they take a while to start); the caller closes them. */
  pool?: BlobWriterPool;
  /** Files held open at once while their blobs arrive. @default 256 */
  maxOpenFiles?: number;
  onFileRestored: (file: PlannedFile) => void;
  onBytesWritten: (n: number) => void;
  onProblem: (p: RestoreProblem) => void;
}

interface FileState {
  readonly f: FileToWrite;
  /** Exactly one blob: a worker creates, writes and finishes the whole file. */
  readonly whole: boolean;
  /** Blob placements not yet written (or failed). */
  remaining: number;
  /** Placements sent to a worker and not yet answered (the descriptor must stay open). */
  inFlight: number;
  fd: number;
  created: boolean;
  damaged: boolean;
  done: boolean;
}

interface Placement {
  readonly state: FileState;
  readonly offset: number;
}

interface BlobWork {
  readonly blob: ContentBlob;
  readonly placements: Placement[];
}

interface PackRange {
  readonly packId: Id;
  readonly start: number;
  readonly end: number;
  readonly blobs: readonly BlobWork[];
}

export async function writeContents(repo: Repository, files: readonly FileToWrite[], opts: ContentOptions): Promise<void> {
  const writer = new ContentWriter(repo, opts);
  try {
    await writer.run(files);
  } finally {
    await writer.close();
  }
}

class ContentWriter {
  readonly #repo: Repository;
  readonly #opts: ContentOptions;
  readonly #pool: BlobWriterPool;
  readonly #ownsPool: boolean;
  readonly #open = new Map<FileState, true>();
  readonly #maxOpen: number;
  #states: FileState[] = [];
  #fatal: unknown;

  constructor(repo: Repository, opts: ContentOptions) {
    this.#repo = repo;
    this.#opts = opts;
    this.#ownsPool = opts.pool === undefined;
    this.#pool = opts.pool ?? new BlobWriterPool(repo.key.encrypt, opts.workers);
    this.#maxOpen = Math.max(1, opts.maxOpenFiles ?? 256);
  }

  async run(files: readonly FileToWrite[]): Promise<void> {
    this.#states = files.map((f) => ({
      f,
      whole: f.file.blobs.length === 1,
      remaining: f.file.blobs.length,
      inFlight: 0,
      fd: -1,
      created: false,
      damaged: false,
      done: false,
    }));
    const ranges = planRanges(this.#states);
    // With many ranges, each goes to a worker whole, without a copy. With few (a small
    // restore), ranges are cut into batches so that every worker gets a share; measured
    // on a 1 GiB restore, whole ranges cut the main thread's garbage collection from
    // 650 ms to 175 ms, at the same speed.
    const split = ranges.length < 4 * this.#pool.size;
    const budget = new Semaphore(this.#opts.budgetBytes ?? 64 * 1024 * 1024);
    const loads = new Semaphore(Math.max(2, this.#repo.backend.connections * 2));
    const tasks = new Set<Promise<void>>();
    for (const range of ranges) {
      if (this.#opts.signal?.aborted || this.#fatal !== undefined) break;
      const taken = await budget.acquire(range.end - range.start);
      const task: Promise<void> = this.#range(range, loads, split)
        .catch((e: unknown) => {
          // #range reports per-blob failures itself; anything else stops the restore.
          this.#fatal ??= e;
        })
        .finally(() => {
          budget.release(taken);
          tasks.delete(task);
        });
      tasks.add(task);
    }
    await Promise.all(tasks);
    if (this.#fatal !== undefined) throw this.#fatal;
    throwIfAborted(this.#opts.signal);
    const unfinished = this.#states.filter((s) => !s.done);
    if (unfinished.length > 0) throw internalError(`restore: ${unfinished.length} file(s) were left unfinished, e.g. ${unfinished[0]!.f.file.location}`);
  }

  /** Closes descriptors of files left unfinished (after a failure) and stops the workers. */
  async close(): Promise<void> {
    for (const state of this.#open.keys()) closeQuietly(state.fd);
    this.#open.clear();
    if (this.#ownsPool) await this.#pool.close();
  }

  /** Reads one range and has it decoded: whole (the buffer moves to a worker), or cut into batches when `split`. */
  async #range(range: PackRange, loads: Semaphore, split: boolean): Promise<void> {
    let buf: Uint8Array;
    await loads.acquire();
    try {
      buf = await this.#repo.backend.load({ type: 'data', name: range.packId }, range.end - range.start, range.start, { signal: this.#opts.signal });
    } catch (e) {
      const missing = isNotFound(e);
      for (const w of range.blobs) {
        this.#failBlob(w, range.packId, missing ? 'the pack is missing from the repository' : `the pack cannot be read: ${errorMessage(e)}`, true);
      }
      return;
    } finally {
      loads.release();
    }
    if (!split) {
      await this.#batch(range.blobs, buf, range);
      return;
    }
    const batches: BlobWork[][] = [];
    let batch: BlobWork[] = [];
    let batchBytes = 0;
    for (const w of range.blobs) {
      batch.push(w);
      batchBytes += w.blob.loc.length;
      if (batchBytes >= BATCH_BYTES) {
        batches.push(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) batches.push(batch);
    await Promise.all(batches.map((b) => this.#batch(b, buf, range)));
  }

  /** Checks the MACs of a batch of blobs from a range, and has a worker decode and write them. */
  async #batch(blobs: readonly BlobWork[], rangeBuf: Uint8Array, range: PackRange): Promise<void> {
    const start = blobs[0]!.blob.loc.offset;
    const end = blobs.reduce((max, w) => Math.max(max, w.blob.loc.offset + w.blob.loc.length), 0);
    const jobs: BlobJob[] = [];
    const sent: Placement[][] = [];
    const works: BlobWork[] = [];
    for (const w of blobs) {
      const at = w.blob.loc.offset - range.start;
      const failure = blobMacFailure(this.#repo.key, rangeBuf.subarray(at, at + w.blob.loc.length));
      if (failure !== undefined) {
        this.#failBlob(w, range.packId, failure, true);
        continue;
      }
      const targets: WriteTarget[] = [];
      const placements: Placement[] = [];
      for (const p of w.placements) {
        const target = this.#target(p, w.blob, range.packId);
        if (target) {
          targets.push(target);
          placements.push(p);
        }
      }
      if (targets.length === 0) continue;
      jobs.push({ at: w.blob.loc.offset - start, len: w.blob.loc.length, ulen: w.blob.loc.uncompressedLength, id: w.blob.id, targets });
      sent.push(placements);
      works.push(w);
    }
    if (jobs.length === 0) return;
    // The batch's bytes in a buffer of their own, which moves to the worker without a copy.
    const piece = start === range.start && end === range.end ? rangeBuf : rangeBuf.slice(start - range.start, end - range.start);
    let results: BlobJobResult[];
    try {
      results = await this.#pool.run(piece, jobs);
    } catch (e) {
      this.#fatal ??= e;
      for (let i = 0; i < works.length; i++) this.#failPlacements(sent[i]!, works[i]!.blob, range.packId, errorMessage(e), false);
      return;
    }
    results.forEach((r, i) => {
      const w = works[i]!;
      const placements = sent[i]!;
      if (r.error !== undefined) {
        this.#failPlacements(placements, w.blob, range.packId, r.error, true);
        return;
      }
      r.targets.forEach((err, k) => {
        const p = placements[k]!;
        if (err !== null) {
          this.#failPlacements([p], w.blob, range.packId, `writing failed: ${err}`, false);
          return;
        }
        this.#opts.onBytesWritten(w.blob.length);
        if (p.state.whole) {
          p.state.remaining = 0;
          p.state.done = true;
          this.#opts.onFileRestored(p.state.f.file);
        } else {
          p.state.inFlight--;
          p.state.remaining--;
          if (p.state.remaining === 0) this.#finish(p.state);
        }
      });
    });
  }

  /** The worker's instruction for one placement, or undefined when the file cannot be opened. */
  #target(p: Placement, blob: ContentBlob, packId: Id): WriteTarget | undefined {
    const { state } = p;
    if (state.damaged) {
      // An earlier blob of this file failed: write nothing more into it.
      this.#settle(state);
      return undefined;
    }
    if (state.whole) {
      state.created = true;
      return { path: state.f.writePath, final: state.f.finalPath, meta: nodeMeta(state.f.file.node, this.#opts.asRoot) };
    }
    try {
      this.#ensureOpen(state);
    } catch (e) {
      this.#failPlacements([p], blob, packId, `the file cannot be opened: ${errorMessage(e)}`, false, true);
      return undefined;
    }
    state.inFlight++;
    return { fd: state.fd, pos: p.offset };
  }

  #ensureOpen(state: FileState): void {
    if (state.fd >= 0) {
      this.#open.delete(state);
      this.#open.set(state, true);
      return;
    }
    if (this.#open.size >= this.#maxOpen) {
      for (const idle of this.#open.keys()) {
        if (this.#open.size < this.#maxOpen) break;
        if (idle.inFlight > 0) continue;
        closeQuietly(idle.fd);
        idle.fd = -1;
        this.#open.delete(idle);
      }
    }
    // Created once, exclusively and never through a symlink; reopened without O_CREAT.
    state.fd = fs.openSync(state.f.writePath, state.created ? REOPEN_FLAGS : CREATE_FLAGS, 0o600);
    state.created = true;
    this.#open.set(state, true);
  }

  /** All blobs of a multi-blob file are written: set its metadata and put it in place. */
  #finish(state: FileState): void {
    state.done = true;
    const { f } = state;
    try {
      if (state.damaged) {
        // When overwriting, the old file stays; a fresh restore keeps what was written.
        if (f.finalPath && state.created) fs.rmSync(f.writePath, { force: true });
        return;
      }
      if (state.fd < 0) state.fd = fs.openSync(f.writePath, REOPEN_FLAGS);
      applyMetaToFd(state.fd, nodeMeta(f.file.node, this.#opts.asRoot));
      fs.closeSync(state.fd);
      state.fd = -1;
      if (f.finalPath) fs.renameSync(f.writePath, f.finalPath);
      this.#opts.onFileRestored(f.file);
    } catch (e) {
      this.#opts.onProblem({ paths: [f.file.location], integrity: false, message: `finishing the file failed: ${errorMessage(e)}` });
    } finally {
      if (state.fd >= 0) closeQuietly(state.fd);
      state.fd = -1;
      this.#open.delete(state);
    }
  }

  #failBlob(w: BlobWork, packId: Id, message: string, integrity: boolean): void {
    this.#failPlacements(w.placements, w.blob, packId, message, integrity, true);
  }

  /**
   * Reports one problem for a blob and the files it was meant for, and counts those
   * placements as settled. `unsent`: the placements never reached a worker.
   */
  #failPlacements(placements: readonly Placement[], blob: ContentBlob, packId: Id, message: string, integrity: boolean, unsent = false): void {
    const paths = [...new Set(placements.map((p) => p.state.f.file.location))];
    this.#opts.onProblem({ paths, blobId: blob.id, packId, integrity, message });
    for (const p of placements) {
      p.state.damaged = true;
      if (!unsent && !p.state.whole) p.state.inFlight--;
      this.#settle(p.state);
    }
  }

  /** One placement of a damaged file is settled; finish the file when it was the last. */
  #settle(state: FileState): void {
    if (state.done) return;
    if (state.whole) {
      state.remaining = 0;
      state.done = true;
      return;
    }
    state.remaining--;
    if (state.remaining === 0 && state.inFlight === 0) this.#finish(state);
  }
}

/** Groups the blobs files need by pack, in the order files first need them, and cuts read ranges. */
function planRanges(states: readonly FileState[]): PackRange[] {
  const byPack = new Map<Id, Map<Id, BlobWork>>();
  for (const state of states) {
    for (const blob of state.f.file.blobs) {
      let blobs = byPack.get(blob.loc.packId);
      if (!blobs) byPack.set(blob.loc.packId, (blobs = new Map()));
      let work = blobs.get(blob.id);
      if (!work) blobs.set(blob.id, (work = { blob, placements: [] }));
      work.placements.push({ state, offset: blob.offset });
    }
  }
  const ranges: PackRange[] = [];
  for (const [packId, blobs] of byPack) {
    const sorted = [...blobs.values()].sort((a, b) => a.blob.loc.offset - b.blob.loc.offset);
    let current: BlobWork[] = [];
    let start = 0;
    let end = 0;
    for (const w of sorted) {
      const bStart = w.blob.loc.offset;
      const bEnd = bStart + w.blob.loc.length;
      if (current.length > 0 && (bStart - end > MERGE_GAP_BYTES || Math.max(end, bEnd) - start > MAX_RANGE_BYTES)) {
        ranges.push({ packId, start, end, blobs: current });
        current = [];
      }
      if (current.length === 0) {
        start = bStart;
        end = bEnd;
      } else {
        end = Math.max(end, bEnd);
      }
      current.push(w);
    }
    if (current.length > 0) ranges.push({ packId, start, end, blobs: current });
  }
  return ranges;
}

function closeQuietly(fd: number): void {
  if (fd < 0) return;
  try {
    fs.closeSync(fd);
  } catch {
    // already closed or never valid: nothing more to release
  }
}
