/**
 * Executing a restore plan, in four steps:
 * 1. structure: directories, symlinks, empty files and fifos, parents before children;
 * 2. contents (content.ts), each file finished (owner, mode, times) when its last blob is in;
 * 3. further hard links to files restored in step 2;
 * 4. directory metadata, deepest first, after everything inside them is written.
 *
 * Containment: every path is the real target path plus node names that the plan checked
 * (no `..`, `/`, NUL, duplicates). Each path component below the target is made here:
 * a directory is created with mkdir (which fails on anything already there) or, when
 * overwriting, lstat-checked to be a real directory (a symlink or file in the way is
 * removed, never followed), and nothing is created inside a directory that was not
 * verified this way. Files are opened with O_CREAT|O_EXCL|O_NOFOLLOW; when overwriting,
 * new entries are made under a temporary name in the verified directory and renamed over
 * the old one, which replaces a symlink instead of writing through it.
 *
 * Not restored: device nodes (Node.js cannot create them; a warning each), sockets (nor
 * does restic), extended attributes (no Node.js API; one warning). Ownership is restored
 * only when running as root, as restic does. Times are set to within Node's precision
 * (times.ts).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, throwIfAborted } from '../errors.ts';
import type { Repository } from '../repository/repository.ts';
import type { BlobWriterPool } from './blob-writer-pool.ts';
import { writeContents, type FileToWrite } from './content.ts';
import { applyMetaToFd, applySymlinkMeta, nodeMeta, runningAsRoot } from './metadata.ts';
import type { PlannedDir, PlannedEntry, PlannedFifo, PlannedFile, RestorePlan } from './plan.ts';
import { RestoreFailedError, type RestoreProblem } from './restore-error.ts';
import { prepareTarget } from './target.ts';

const O = fs.constants;
const CREATE_FLAGS = O.O_WRONLY | O.O_CREAT | O.O_EXCL | O.O_NOFOLLOW;
const DIR_FLAGS = O.O_RDONLY | O.O_DIRECTORY | O.O_NOFOLLOW;
// Opening a fifo for reading without O_NONBLOCK would wait for a writer.
const FIFO_FLAGS = O.O_RDONLY | O.O_NONBLOCK | O.O_NOFOLLOW;
const SLASH = 0x2f;
const MKFIFO_PATHS = ['/usr/bin/mkfifo', '/bin/mkfifo'];
/** mkfifo is given this many names per run, well below any argument-size limit. */
const MKFIFO_BATCH = 500;

/** Counters updated while the restore runs (read them for progress). */
export interface RestoreCounters {
  /** Non-directory entries restored: files, hard links, symlinks, fifos. */
  filesRestored: number;
  dirsRestored: number;
  /** Content bytes of the files restored (a further hard link counts its file's size again). */
  bytesRestored: number;
}

export interface ExecuteOptions {
  /** The directory to restore into: absent or empty unless `overwrite`. */
  target: string;
  /** Replace existing entries (never writing through them); other entries are left alone. @default false */
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Updated as entries are restored. */
  counters?: RestoreCounters;
  onWarning?: (message: string) => void;
  /** Bytes of pack data in flight while writing contents. @default 64 MiB */
  budgetBytes?: number;
  /** Decoding threads. @default the number of cores */
  workers?: number;
  /** Decoding workers started earlier, to overlap their start-up with planning; the caller closes them. */
  pool?: BlobWriterPool;
}

export interface ExecuteResult extends RestoreCounters {
  /** The target's real path. */
  target: string;
  warnings: string[];
}

export async function executeRestore(repo: Repository, plan: RestorePlan, opts: ExecuteOptions): Promise<ExecuteResult> {
  const run = new Execution(repo, plan, opts);
  return run.run();
}

class Execution {
  readonly #repo: Repository;
  readonly #plan: RestorePlan;
  readonly #opts: ExecuteOptions;
  readonly #overwrite: boolean;
  readonly #asRoot = runningAsRoot();
  readonly #counters: RestoreCounters;
  readonly #problems: RestoreProblem[] = [];
  readonly #warnings: string[] = [];
  /** Directories (relative paths, latin1) made or verified below the target; '' is the target. */
  readonly #ready = new Set<string>(['']);
  readonly #restoredFiles = new Set<PlannedFile>();
  #root = Buffer.alloc(0);
  #rootPath = '';

  constructor(repo: Repository, plan: RestorePlan, opts: ExecuteOptions) {
    this.#repo = repo;
    this.#plan = plan;
    this.#opts = opts;
    this.#overwrite = opts.overwrite === true;
    this.#counters = opts.counters ?? { filesRestored: 0, dirsRestored: 0, bytesRestored: 0 };
  }

  async run(): Promise<ExecuteResult> {
    for (const s of this.#plan.skipped) this.#warn(`${s.location}: not restored: ${s.reason}`);
    // Everything readable is restored; the directories whose tree is lost fail the restore at the end.
    for (const u of this.#plan.unreadable) this.#problems.push({ paths: [u.location], integrity: true, message: `its contents cannot be restored: ${u.reason}` });
    if (this.#plan.nodesWithXattrs > 0) {
      this.#warn(`extended attributes of ${this.#plan.nodesWithXattrs} entr${this.#plan.nodesWithXattrs === 1 ? 'y were' : 'ies were'} not restored (Node.js cannot set them)`);
    }
    this.#rootPath = prepareTarget(this.#opts.target, this.#overwrite);
    this.#root = Buffer.from(this.#rootPath);

    const dirs: PlannedDir[] = [];
    const files: FileToWrite[] = [];
    const fifos: PlannedFifo[] = [];
    const links: PlannedFile[] = [];
    let n = 0;
    for (const e of this.#plan.entries) {
      if ((++n & 1023) === 0) throwIfAborted(this.#opts.signal);
      if (!this.#ready.has(parentKey(e.relPath))) {
        this.#problem(e, 'not restored: its directory could not be created');
        continue;
      }
      try {
        switch (e.kind) {
          case 'dir':
            this.#makeDir(e);
            dirs.push(e);
            break;
          case 'file':
            if (e.missingBlobs.length > 0) {
              for (const id of e.missingBlobs) this.#problems.push({ paths: [e.location], blobId: id, integrity: true, message: 'the data blob is not in the index (no pack holds it)' });
            } else if (e.linkTo) links.push(e);
            else if (e.blobs.length === 0) this.#makeEmptyFile(e);
            else {
              const f = this.#fileToWrite(e);
              if (f) files.push(f);
            }
            break;
          case 'symlink':
            this.#makeSymlink(e);
            break;
          case 'fifo':
            fifos.push(e);
            break;
        }
      } catch (err) {
        this.#problem(e, `not restored: ${errorMessage(err)}`);
      }
    }
    if (fifos.length > 0) this.#makeFifos(fifos);

    throwIfAborted(this.#opts.signal);
    await writeContents(this.#repo, files, {
      asRoot: this.#asRoot,
      signal: this.#opts.signal,
      budgetBytes: this.#opts.budgetBytes,
      workers: this.#opts.workers,
      pool: this.#opts.pool,
      onFileRestored: (file) => {
        this.#restoredFiles.add(file);
        this.#counters.filesRestored++;
      },
      onBytesWritten: (bytes) => {
        this.#counters.bytesRestored += bytes;
      },
      onProblem: (p) => this.#problems.push(p),
    });

    for (const link of links) this.#makeHardlink(link);
    throwIfAborted(this.#opts.signal);
    for (let i = dirs.length - 1; i >= 0; i--) this.#finishDir(dirs[i]!);

    const result: ExecuteResult = { target: this.#rootPath, ...this.#counters, warnings: this.#warnings };
    if (this.#problems.length > 0) throw new RestoreFailedError(this.#plan.snapshot.id, this.#problems, result);
    return result;
  }

  #abs(rel: Buffer): Buffer {
    return Buffer.concat([this.#root, Buffer.of(SLASH), rel]);
  }

  /** A fresh name beside `rel`, in the same (verified) directory. */
  #tempBeside(rel: Buffer): Buffer {
    const dir = parentRel(rel);
    const name = Buffer.from(`.chunkvault-${randomBytes(8).toString('hex')}`);
    return this.#abs(dir.length ? Buffer.concat([dir, Buffer.of(SLASH), name]) : name);
  }

  /** What is at `p` now, without following a symlink. */
  #existing(p: Buffer): 'none' | 'dir' | 'other' {
    try {
      return fs.lstatSync(p).isDirectory() ? 'dir' : 'other';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
      throw e;
    }
  }

  #makeDir(e: PlannedDir): void {
    const p = this.#abs(e.relPath);
    if (!this.#overwrite) {
      fs.mkdirSync(p, 0o700);
    } else {
      const existing = this.#existing(p);
      if (existing === 'other') fs.unlinkSync(p); // a file or symlink in the way: removed, not followed
      if (existing !== 'dir') fs.mkdirSync(p, 0o700);
    }
    this.#ready.add(e.relPath.toString('latin1'));
  }

  /**
   * Where a file's new content goes: its own path in a fresh restore; when overwriting, a
   * temporary name renamed over the old entry at the end. Undefined (with a problem
   * reported) when a directory is in the way.
   */
  #placement(e: PlannedEntry): { writePath: Buffer; finalPath: Buffer | null } | undefined {
    const p = this.#abs(e.relPath);
    if (!this.#overwrite) return { writePath: p, finalPath: null };
    if (this.#existing(p) === 'dir') {
      this.#problem(e, 'not restored: a directory is in the way (it is not removed)');
      return undefined;
    }
    return { writePath: this.#tempBeside(e.relPath), finalPath: p };
  }

  #fileToWrite(e: PlannedFile): FileToWrite | undefined {
    const placement = this.#placement(e);
    return placement && { file: e, ...placement };
  }

  #makeEmptyFile(e: PlannedFile): void {
    const placement = this.#placement(e);
    if (!placement) return;
    const fd = fs.openSync(placement.writePath, CREATE_FLAGS, 0o600);
    try {
      applyMetaToFd(fd, nodeMeta(e.node, this.#asRoot));
    } finally {
      fs.closeSync(fd);
    }
    if (placement.finalPath) fs.renameSync(placement.writePath, placement.finalPath);
    this.#restoredFiles.add(e);
    this.#counters.filesRestored++;
  }

  #makeSymlink(e: PlannedEntry & { kind: 'symlink' }): void {
    const placement = this.#placement(e);
    if (!placement) return;
    fs.symlinkSync(e.target, placement.writePath);
    if (placement.finalPath) fs.renameSync(placement.writePath, placement.finalPath);
    applySymlinkMeta(this.#abs(e.relPath), nodeMeta(e.node, this.#asRoot));
    this.#counters.filesRestored++;
  }

  /**
   * Node.js cannot make fifos, so `mkfifo` makes them under plain names in a private
   * directory inside the target, and each is renamed into place (names may be any bytes;
   * arguments must be strings).
   */
  #makeFifos(fifos: readonly PlannedFifo[]): void {
    const mkfifo = MKFIFO_PATHS.find((p) => fs.existsSync(p));
    if (!mkfifo) {
      for (const f of fifos) this.#warn(`${f.location}: fifo not restored: mkfifo was not found`);
      return;
    }
    const scratch = path.join(this.#rootPath, `.chunkvault-fifos-${randomBytes(8).toString('hex')}`);
    fs.mkdirSync(scratch, 0o700);
    try {
      for (let from = 0; from < fifos.length; from += MKFIFO_BATCH) {
        const batch = fifos.slice(from, from + MKFIFO_BATCH);
        try {
          execFileSync(mkfifo, ['-m', '600', '--', ...batch.map((_, i) => `f${from + i}`)], { cwd: scratch, env: {}, stdio: 'pipe' });
        } catch (err) {
          for (const f of batch) this.#warn(`${f.location}: fifo not restored: mkfifo failed: ${errorMessage(err)}`);
          continue;
        }
        batch.forEach((f, i) => {
          try {
            const p = this.#abs(f.relPath);
            if (this.#overwrite && this.#existing(p) === 'dir') {
              this.#problem(f, 'not restored: a directory is in the way (it is not removed)');
              return;
            }
            fs.renameSync(path.join(scratch, `f${from + i}`), p);
            const fd = fs.openSync(p, FIFO_FLAGS);
            try {
              applyMetaToFd(fd, nodeMeta(f.node, this.#asRoot));
            } finally {
              fs.closeSync(fd);
            }
            this.#counters.filesRestored++;
          } catch (err) {
            this.#problem(f, `not restored: ${errorMessage(err)}`);
          }
        });
      }
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  #makeHardlink(e: PlannedFile): void {
    const source = e.linkTo!;
    if (!this.#restoredFiles.has(source)) {
      this.#problem(e, `not restored: it is a hard link to ${source.location}, which was not restored`);
      return;
    }
    try {
      const placement = this.#placement(e);
      if (!placement) return;
      fs.linkSync(this.#abs(source.relPath), placement.writePath);
      if (placement.finalPath) fs.renameSync(placement.writePath, placement.finalPath);
      this.#counters.filesRestored++;
      // Counted like a file of its own, so that restored and verified bytes agree.
      this.#counters.bytesRestored += source.sizeBytes;
    } catch (err) {
      this.#problem(e, `not restored: ${errorMessage(err)}`);
    }
  }

  #finishDir(e: PlannedDir): void {
    try {
      const fd = fs.openSync(this.#abs(e.relPath), DIR_FLAGS);
      try {
        applyMetaToFd(fd, nodeMeta(e.node, this.#asRoot));
      } finally {
        fs.closeSync(fd);
      }
      this.#counters.dirsRestored++;
    } catch (err) {
      this.#problem(e, `directory metadata not restored: ${errorMessage(err)}`);
    }
  }

  #problem(e: PlannedEntry, message: string): void {
    this.#problems.push({ paths: [e.location], integrity: false, message });
  }

  #warn(message: string): void {
    this.#warnings.push(message);
    this.#opts.onWarning?.(message);
  }
}

function parentRel(rel: Buffer): Buffer {
  const i = rel.lastIndexOf(SLASH);
  return i < 0 ? Buffer.alloc(0) : rel.subarray(0, i);
}

function parentKey(rel: Buffer): string {
  return parentRel(rel).toString('latin1');
}
