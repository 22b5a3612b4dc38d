/**
 * The restore drill: proves that a snapshot restores and says how long recovery takes.
 *
 *   1. choose the snapshot (`latest` with filters, or an id);
 *   2. fail when it is older than the allowed age (a stale backup is a failed backup), and
 *      go on: how long recovering the backup there is takes is still worth knowing;
 *   3. restore it into a fresh scratch directory (never over live data);
 *   4. read everything back and compare it with the snapshot's tree;
 *   5. run the caller's check command (e.g. load a dump into a scratch database);
 *   6. measure the recovery time (RTO: from the start of the restore to the end of the
 *      check command: data back and shown usable) against the allowed maximum;
 *   7. delete the scratch directory, unless asked to keep it.
 *
 * A drill that fails returns a report naming the step and why; it throws only when
 * cancelled. Steps after a failure are skipped (a failed age skips nothing), except the
 * clean-up, which always runs.
 */
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { ReadOperationOptions } from '../operation.ts';
import { lockRefreshWarning } from '../repository/lock.ts';
import { errorMessage, isChunkvaultError, ErrorCode, throwIfAborted } from '../errors.ts';
import { formatBytes, formatCount, formatDuration } from '../support/human.ts';
import type { Id } from '../format/id.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { findSnapshot, type SnapshotFilter } from './find-snapshot.ts';
import { restore, type RestoreProgress, type RestoreResult } from './restore.ts';

export type DrillStepId = 'snapshot' | 'age' | 'restore' | 'verify' | 'command' | 'rto' | 'cleanup';
export type DrillStepStatus = 'passed' | 'failed' | 'skipped';

export interface DrillStep {
  id: DrillStepId;
  title: string;
  status: DrillStepStatus;
  /** What was found, in a sentence. */
  detail: string;
  durationMs?: number;
}

export interface CommandOutcome {
  /** The exit code, or null when the command was killed by a signal. */
  exitCode: number | null;
  signal?: string | null;
  /** The last lines of its output, for the failure message. */
  outputTail?: string;
}

export interface DrillOptions extends ReadOperationOptions<RestoreProgress> {
  /** 'latest' (honouring `filter`), a full id or a unique prefix. @default 'latest' */
  snapshot?: string;
  filter?: SnapshotFilter;
  include?: readonly string[];
  maxSnapshotAgeMs?: number;
  maxRtoMs?: number;
  /** The scratch directory is made inside this one (the runner's temp directory). */
  scratchParent: string;
  keepRestore?: boolean;
  /** Runs the drill's check command with the restored tree's path; absent: no command step. */
  runCommand?: (restoreDir: string, signal?: AbortSignal) => Promise<CommandOutcome>;
  /** A description of the command, for the report. */
  commandLabel?: string;
  onStep?: (step: DrillStep) => void;
  onWarning?: (message: string) => void;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
  /**
   * When recovery started, if before this call (the caller opened the repository: key
   * derivation and loading the config are part of a real recovery). @default now
   */
  startedAt?: number;
}

export interface DrillReport {
  status: 'passed' | 'failed';
  steps: DrillStep[];
  /** The first failed step. */
  failedStep?: DrillStep;
  snapshotId?: Id;
  snapshotAgeMs?: number;
  /** Files and directories its backup could not read, so missing from it (0: whole). */
  snapshotReadErrors?: number;
  /** Restore + verify + command, wall clock. */
  rtoMs?: number;
  filesVerified: number;
  bytesVerified: number;
  /** Where the restored tree is, when it was kept. */
  keptAt?: string;
}

export async function drill(repo: Repository, opts: DrillOptions): Promise<DrillReport> {
  const now = opts.now ?? Date.now;
  const report: DrillReport = { status: 'passed', steps: [], filesVerified: 0, bytesVerified: 0 };
  const record = (step: DrillStep) => {
    report.steps.push(step);
    if (step.status === 'failed' && !report.failedStep) {
      report.status = 'failed';
      report.failedStep = step;
    }
    opts.onStep?.(step);
  };
  const skipRest = (ids: DrillStepId[], because: DrillStep = report.failedStep!) => {
    for (const id of ids) record({ id, title: TITLES[id], status: 'skipped', detail: `skipped: the ${because.id} step failed` });
  };
  // The first failure of the recovery itself; a stale snapshot does not stop it.
  const recoveryFailure = () => report.steps.find((s) => s.status === 'failed' && s.id !== 'age');

  // 1. The snapshot.
  let entry: SnapshotEntry;
  try {
    entry = await findSnapshot(repo, opts.snapshot ?? 'latest', opts.filter ?? {}, { signal: opts.signal });
  } catch (e) {
    rethrowIfCancelled(e, opts.signal);
    record({ id: 'snapshot', title: TITLES.snapshot, status: 'failed', detail: errorMessage(e) });
    skipRest(['age', 'restore', 'verify', 'command', 'rto', 'cleanup']);
    return report;
  }
  report.snapshotId = entry.id;
  report.snapshotReadErrors = entry.snapshot.readErrors ?? 0;
  const takenMs = Number(entry.snapshot.time / 1_000_000n);
  const partial = report.snapshotReadErrors ? `; partial: ${formatCount(report.snapshotReadErrors)} unreadable files or directories not in it` : '';
  record({
    id: 'snapshot',
    title: TITLES.snapshot,
    status: 'passed',
    detail: `snapshot ${entry.id.slice(0, 8)} of ${entry.snapshot.hostname || 'unknown host'}, taken ${new Date(takenMs).toISOString()}, paths ${entry.snapshot.paths.join(', ')}${partial}`,
  });

  // 2. Its age.
  report.snapshotAgeMs = Math.max(0, now() - takenMs);
  if (takenMs - now() > FUTURE_TOLERANCE_MS) {
    record({
      id: 'age',
      title: TITLES.age,
      status: 'failed',
      detail: `the snapshot is dated ${formatDuration(takenMs - now())} in the future: the clock of the machine that made it is wrong, and as 'latest' it hides every newer backup`,
    });
    skipRest(['restore', 'verify', 'command', 'rto', 'cleanup']);
    return report;
  }
  if (opts.maxSnapshotAgeMs === undefined) {
    record({ id: 'age', title: TITLES.age, status: 'passed', detail: `${formatDuration(report.snapshotAgeMs)} old (no maximum set)` });
  } else if (report.snapshotAgeMs > opts.maxSnapshotAgeMs) {
    record({
      id: 'age',
      title: TITLES.age,
      status: 'failed',
      detail: `the ${opts.snapshot && opts.snapshot !== 'latest' ? '' : 'newest matching '}snapshot is ${formatDuration(report.snapshotAgeMs)} old, more than the allowed ${formatDuration(opts.maxSnapshotAgeMs)}: backups are not running, or failing`,
    });
  } else {
    record({ id: 'age', title: TITLES.age, status: 'passed', detail: `${formatDuration(report.snapshotAgeMs)} old, within ${formatDuration(opts.maxSnapshotAgeMs)}` });
  }

  // 3-6 run in a fresh scratch directory, removed at the end whatever happened.
  let scratch: string;
  try {
    scratch = await mkdtemp(path.join(opts.scratchParent, 'chunkvault-drill-'));
  } catch (e) {
    record({
      id: 'restore',
      title: TITLES.restore,
      status: 'failed',
      detail: `cannot create a scratch directory in ${opts.scratchParent}: ${errorMessage(e)}; point RUNNER_TEMP (or --scratch) at a writable directory with room for the restore`,
    });
    skipRest(['verify', 'command', 'rto', 'cleanup'], recoveryFailure());
    return report;
  }
  const restoreDir = path.join(scratch, 'restore');
  try {
    const rtoStart = opts.startedAt ?? now();
    let restored: RestoreResult | undefined;
    try {
      restored = await restore(repo, {
        snapshot: entry.id,
        target: restoreDir,
        include: opts.include,
        verify: true,
        lockWaitMs: opts.lockWaitMs,
        noLock: opts.noLock,
        signal: opts.signal,
        onProgress: opts.onProgress,
        progressIntervalMs: opts.progressIntervalMs,
        onWarning: opts.onWarning,
        // A drill reports everything through onWarning; a lost lock refresh is one more warning.
        onLockRefreshError: opts.onLockRefreshError ?? ((e) => opts.onWarning?.(lockRefreshWarning(e))),
      });
      record({
        id: 'restore',
        title: TITLES.restore,
        status: 'passed',
        detail: `${restored.filesRestored} files and ${restored.dirsRestored} directories (${formatBytes(restored.bytesRestored)}) restored into a scratch directory`,
        durationMs: restored.durationMs,
      });
    } catch (e) {
      rethrowIfCancelled(e, opts.signal);
      record({ id: 'restore', title: TITLES.restore, status: 'failed', detail: errorMessage(e), durationMs: now() - rtoStart });
    }

    if (restored?.verification) {
      const v = restored.verification;
      report.filesVerified = v.filesVerified;
      report.bytesVerified = v.bytesVerified;
      const counted = v.filesVerified === restored.filesRestored && v.bytesVerified === restored.bytesRestored;
      const notRestored = restored.warnings.length ? `; not restorable here and left out: ${restored.warnings.slice(0, 3).join('; ')}${restored.warnings.length > 3 ? ` (and ${restored.warnings.length - 3} more)` : ''}` : '';
      if (v.filesVerified === 0) {
        // Nothing restored proves nothing: an empty snapshot, or include patterns that
        // matched nothing, must not pass as a good backup.
        record({
          id: 'verify',
          title: TITLES.verify,
          status: 'failed',
          detail: `no file was restored, so nothing was proven: the snapshot is empty${opts.include?.length ? ` or the include patterns (${opts.include.join(', ')}) matched nothing (they match the absolute paths in the snapshot: ${entry.snapshot.paths.join(', ')})` : ''}${notRestored}`,
        });
      } else if (v.problems.length === 0 && counted) {
        record({ id: 'verify', title: TITLES.verify, status: 'passed', detail: `${v.filesVerified} files (${formatBytes(v.bytesVerified)}) read back and equal to the snapshot${notRestored}` });
      } else {
        const shown = v.problems.slice(0, 5).join('; ');
        const more = v.problems.length > 5 ? ` (and ${v.problems.length - 5} more)` : '';
        const counts = counted ? '' : `; verified ${v.filesVerified} files / ${v.bytesVerified} bytes of ${restored.filesRestored} / ${restored.bytesRestored} restored`;
        record({ id: 'verify', title: TITLES.verify, status: 'failed', detail: `the restored tree differs from the snapshot: ${shown}${more}${counts}` });
      }
    } else if (recoveryFailure()) {
      skipRest(['verify'], recoveryFailure());
    } else {
      record({ id: 'verify', title: TITLES.verify, status: 'failed', detail: 'the restore did not report a verification' });
    }

    if (!opts.runCommand) {
      if (!recoveryFailure()) record({ id: 'command', title: TITLES.command, status: 'skipped', detail: 'no drill command given' });
    } else if (recoveryFailure()) {
      skipRest(['command'], recoveryFailure());
    } else {
      const commandStart = now();
      try {
        const outcome = await opts.runCommand(restoreDir, opts.signal);
        const label = opts.commandLabel ? `'${opts.commandLabel}'` : 'the drill command';
        if (outcome.exitCode === 0) {
          record({ id: 'command', title: TITLES.command, status: 'passed', detail: `${label} exited 0`, durationMs: now() - commandStart });
        } else {
          const how = outcome.exitCode === null ? `was killed by ${outcome.signal ?? 'a signal'}` : `exited ${outcome.exitCode}`;
          const tail = outcome.outputTail ? `; its last output: ${outcome.outputTail}` : '';
          record({ id: 'command', title: TITLES.command, status: 'failed', detail: `${label} ${how}${tail}`, durationMs: now() - commandStart });
        }
      } catch (e) {
        rethrowIfCancelled(e, opts.signal);
        record({ id: 'command', title: TITLES.command, status: 'failed', detail: `the drill command could not run: ${errorMessage(e)}` });
      }
    }

    if (recoveryFailure()) {
      skipRest(['rto'], recoveryFailure());
    } else {
      report.rtoMs = now() - rtoStart;
      if (opts.maxRtoMs !== undefined && report.rtoMs > opts.maxRtoMs) {
        record({ id: 'rto', title: TITLES.rto, status: 'failed', detail: `recovery took ${formatDuration(report.rtoMs)}, more than the allowed ${formatDuration(opts.maxRtoMs)}` });
      } else {
        const limit = opts.maxRtoMs === undefined ? ' (no maximum set)' : `, within ${formatDuration(opts.maxRtoMs)}`;
        record({ id: 'rto', title: TITLES.rto, status: 'passed', detail: `recovery took ${formatDuration(report.rtoMs)}${limit}` });
      }
    }
  } finally {
    if (opts.keepRestore) {
      report.keptAt = restoreDir;
      record({ id: 'cleanup', title: TITLES.cleanup, status: 'passed', detail: `kept the restored tree at ${restoreDir} (keep-restore)` });
    } else {
      try {
        await removeTree(scratch);
        record({ id: 'cleanup', title: TITLES.cleanup, status: 'passed', detail: 'scratch directory removed' });
      } catch (e) {
        record({ id: 'cleanup', title: TITLES.cleanup, status: 'failed', detail: `could not remove ${scratch}: ${errorMessage(e)}` });
      }
    }
  }
  return report;
}

/** A snapshot this far ahead of our clock is not trusted to be the latest. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Removes the scratch tree even where the restore made directories read-only (their modes
 * come from the snapshot): on a permission error, give every directory back its owner's
 * write permission and try again.
 */
async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
  }
  const open = async (d: string): Promise<void> => {
    await chmod(d, 0o700).catch(() => {});
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await open(path.join(d, entry.name));
    }
  };
  await open(dir);
  await rm(dir, { recursive: true, force: true });
}

const TITLES: Readonly<Record<DrillStepId, string>> = {
  snapshot: 'Snapshot chosen',
  age: 'Snapshot age',
  restore: 'Restore into scratch',
  verify: 'Verify against the snapshot',
  command: 'Drill command',
  rto: 'Recovery time (RTO)',
  cleanup: 'Clean-up',
};

function rethrowIfCancelled(e: unknown, signal: AbortSignal | undefined): void {
  if (isChunkvaultError(e, ErrorCode.Aborted)) throw e;
  throwIfAborted(signal);
}
