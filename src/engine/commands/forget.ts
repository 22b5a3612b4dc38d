/**
 * The forget operation: decide with the retention policy (retention/, restic 0.14's rules)
 * which snapshots go, delete their snapshot files, and optionally prune under the same
 * exclusive lock. Only snapshot files are deleted here: the data they used stays until a
 * prune, so a forget can be undone by restoring the deleted files from a copy.
 */
import type { OperationOptions } from '../operation.ts';
import { forEachLimited } from '../support/concurrency.ts';
import { anySignal, throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import { withLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';
import { planForget, retentionEntryFromDocument, type ForgetPlan, type GroupBy, type RetentionPolicy } from '../retention/index.ts';
import { matchesFilter, type SnapshotFilter } from './find-snapshot.ts';
import { pruneLocked, type PruneOptions, type PruneResult } from './prune.ts';

export interface ForgetOptions extends Omit<OperationOptions, 'onProgress' | 'progressIntervalMs'> {
  policy: RetentionPolicy;
  /** @default host,paths */
  groupBy?: GroupBy;
  /** Only snapshots that match are considered; the others are left alone. */
  filter?: SnapshotFilter;
  /** Decide and report only. @default false */
  dryRun?: boolean;
  /** Prune afterwards under the same lock, with these options. */
  prune?: Omit<PruneOptions, 'dryRun' | 'lockWaitMs' | 'signal' | 'ignoreSnapshots'>;
  /** The current time, for keep-within with future-dated snapshots. @default Date.now() */
  nowMs?: number;
  /** The zone restic would compute keep-within cut-offs in (see retention/apply.ts). */
  localTimeZone?: string;
  /** Called after each snapshot file is deleted. */
  onRemoved?: (id: Id) => void;
}

export interface ForgetResult {
  dryRun: boolean;
  plan: ForgetPlan;
  /** Snapshots the policy removes (deleted unless a dry run), newest first per group. */
  removed: Id[];
  kept: Id[];
  /** Snapshots the filter left out of consideration. */
  untouched: number;
  prune?: PruneResult;
}

export async function forget(repo: Repository, opts: ForgetOptions): Promise<ForgetResult> {
  // A dry run changes nothing: a shared lock keeps a prune from deleting under it.
  return withLock(
    repo,
    { exclusive: !opts.dryRun, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError },
    async (lock) => {
      // A lock that can no longer be refreshed stops the forget before its next change.
      const signal = anySignal(opts.signal, lock.lost);
      // With the UTC offset each time was written with: restic buckets by it.
      const all = await repo.loadSnapshotFiles(retentionEntryFromDocument, { signal });
      const considered = opts.filter ? all.filter((e) => matchesFilter(e, opts.filter!)) : all;
      const plan = planForget(considered, opts.policy, { groupBy: opts.groupBy, nowMs: opts.nowMs, localTimeZone: opts.localTimeZone });
      const removed = plan.groups.flatMap((g) => g.remove.map((e) => e.id));
      const kept = plan.groups.flatMap((g) => g.keep.map((e) => e.id));
      const result: ForgetResult = { dryRun: opts.dryRun === true, plan, removed, kept, untouched: all.length - considered.length };
      // As restic: a prune follows only when snapshots were (or would be) removed.
      const prune = opts.prune && removed.length > 0 ? opts.prune : undefined;
      if (opts.dryRun) {
        if (prune) result.prune = await pruneLocked(repo, { ...prune, dryRun: true, ignoreSnapshots: new Set(removed), signal });
        return result;
      }
      await forEachLimited(removed, Math.max(2, repo.backend.connections), async (id) => {
        throwIfAborted(signal);
        await repo.backend.remove({ type: 'snapshot', name: id });
        opts.onRemoved?.(id);
      });
      if (prune) result.prune = await pruneLocked(repo, { ...prune, signal });
      return result;
    },
  );
}
