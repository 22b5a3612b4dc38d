/**
 * The restore operation: a non-exclusive lock (restores run beside backups, not beside
 * prune), the index, the snapshot chosen by reference and filters, then plan, execute
 * and optionally read everything back to verify it.
 */
import type { ReadOperationOptions } from '../operation.ts';
import { throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import { withReadLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';
import { BlobWriterPool } from '../restorer/blob-writer-pool.ts';
import { executeRestore, type ExecuteResult, type RestoreCounters } from '../restorer/execute.ts';
import { planRestore } from '../restorer/plan.ts';
import { RestoreFailedError, type RestoreProblem } from '../restorer/restore-error.ts';
import { checkTarget, type TargetSettingNames } from '../restorer/target.ts';
import { verifyRestoredTree, type VerifyResult } from '../restorer/verify.ts';
import { findSnapshot, type SnapshotFilter } from './find-snapshot.ts';
import { partialSnapshotWarning } from './partial-snapshot.ts';

export type RestorePhase = 'lock' | 'index' | 'snapshot' | 'plan' | 'restore' | 'verify';

export interface RestoreProgress extends RestoreCounters {
  phase: RestorePhase;
  /** Known once planned: non-directory entries and content bytes to restore. */
  filesTotal: number;
  bytesTotal: number;
  elapsedMs: number;
}

export interface RestoreOptions extends ReadOperationOptions<RestoreProgress> {
  /** A full snapshot id, a unique prefix, or 'latest' (which honours `filter`). @default 'latest' */
  snapshot?: string;
  filter?: SnapshotFilter;
  /** The directory to restore into: absent or empty unless `overwrite`. */
  target: string;
  /** restic-style patterns matched against absolute snapshot paths; empty restores everything. */
  include?: readonly string[];
  /** Replace existing entries in the target (never writing through them). @default false */
  overwrite?: boolean;
  /** Read every restored file back and check it against the snapshot. @default false */
  verify?: boolean;
  /** How errors about the target name the settings (an input, a flag). */
  targetNames?: TargetSettingNames;
  /** Entries left out on purpose (devices, sockets), metadata Node.js cannot set; a partial snapshot. */
  onWarning?: (message: string) => void;
}

export interface RestoreResult {
  snapshotId: Id;
  /** The target's real path. */
  target: string;
  /** Non-directory entries restored: files, hard links, symlinks, fifos. */
  filesRestored: number;
  dirsRestored: number;
  /** Content bytes of the files restored (a further hard link counts its file's size again, as verification does). */
  bytesRestored: number;
  durationMs: number;
  warnings: string[];
  /** Files and directories the backup could not read, so missing from the snapshot (its `read_errors`); 0 when whole. */
  snapshotReadErrors: number;
  /** Only on the partial result of a RestoreFailedError: what could not be restored. */
  errors?: RestoreProblem[];
  /** Present when `verify` was asked for. */
  verification?: VerifyResult;
}

export async function restore(repo: Repository, opts: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  // Fail on an unusable target before taking a lock or reading anything.
  checkTarget(opts.target, opts.overwrite === true, opts.targetNames);
  const counters: RestoreCounters = { filesRestored: 0, dirsRestored: 0, bytesRestored: 0 };
  let phase: RestorePhase = 'lock';
  let filesTotal = 0;
  let bytesTotal = 0;
  const report = () => opts.onProgress?.({ ...counters, phase, filesTotal, bytesTotal, elapsedMs: Date.now() - started });
  const timer = opts.onProgress ? setInterval(report, opts.progressIntervalMs ?? 10_000) : undefined;
  timer?.unref();
  // Workers take tens of milliseconds to start: they do so while the lock, index and plan are read.
  const pool = new BlobWriterPool(repo.key.encrypt);
  try {
    return await withReadLock(
      repo,
      false,
      opts,
      async () => {
        phase = 'index';
        await repo.loadIndex({ signal: opts.signal });
        phase = 'snapshot';
        const snapshot = await findSnapshot(repo, opts.snapshot ?? 'latest', opts.filter ?? {}, { signal: opts.signal });
        const partialWarning = partialSnapshotWarning(snapshot);
        if (partialWarning) opts.onWarning?.(partialWarning);
        const snapshotReadErrors = snapshot.snapshot.readErrors ?? 0;
        phase = 'plan';
        const plan = await planRestore(repo, snapshot, { include: opts.include, signal: opts.signal });
        filesTotal = plan.entries.filter((e) => e.kind !== 'dir').length;
        bytesTotal = plan.totalBytes;
        phase = 'restore';
        let executed: ExecuteResult;
        try {
          executed = await executeRestore(repo, plan, {
            target: opts.target,
            overwrite: opts.overwrite,
            signal: opts.signal,
            counters,
            onWarning: opts.onWarning,
            pool,
          });
        } catch (e) {
          if (!(e instanceof RestoreFailedError)) throw e;
          const partial = e.partial as ExecuteResult;
          // The same failure, with the command's result shape (and its duration) attached.
          throw new RestoreFailedError<RestoreResult>(snapshot.id, e.problems, {
            snapshotId: snapshot.id,
            target: partial.target,
            filesRestored: partial.filesRestored,
            dirsRestored: partial.dirsRestored,
            bytesRestored: partial.bytesRestored,
            durationMs: Date.now() - started,
            warnings: partial.warnings,
            snapshotReadErrors,
            errors: [...e.problems],
          });
        }
        const result: RestoreResult = {
          snapshotId: snapshot.id,
          target: executed.target,
          filesRestored: executed.filesRestored,
          dirsRestored: executed.dirsRestored,
          bytesRestored: executed.bytesRestored,
          durationMs: 0,
          warnings: executed.warnings,
          snapshotReadErrors,
        };
        if (opts.verify) {
          phase = 'verify';
          throwIfAborted(opts.signal);
          result.verification = await verifyRestoredTree(repo, snapshot, executed.target, { include: opts.include, signal: opts.signal });
        }
        result.durationMs = Date.now() - started;
        report();
        return result;
      },
    );
  } finally {
    clearInterval(timer);
    await pool.close();
  }
}
