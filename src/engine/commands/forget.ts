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
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { parseGroupBy, planForget, retentionEntryFromDocument, type ForgetPlan, type GroupBy, type RetentionPolicy } from '../retention/index.ts';
import { matchesFilter, type SnapshotFilter } from './find-snapshot.ts';
import { selectSnapshots } from './select-snapshots.ts';
import { pruneLocked, type PruneOptions, type PruneResult } from './prune.ts';

export interface ForgetOptions extends Omit<OperationOptions, 'onProgress' | 'progressIntervalMs'> {
  policy: RetentionPolicy;
  /**
   * Snapshots to remove by name (ids, unique prefixes, `latest`), as `restic forget ID...`:
   * when given, the policy and grouping are not used and the filter only serves `latest`.
   */
  ids?: readonly string[];
  /** Names in `ids` that found nothing, and an unused filter: restic warns and goes on. */
  onWarning?: (message: string) => void;
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
  /** Called with the decisions once the forget part is done, before any prune (whose result it lacks). */
  onForgotten?: (result: ForgetResult) => void;
}

export interface ForgetResult {
  dryRun: boolean;
  plan: ForgetPlan;
  /** Snapshots the policy removes (deleted unless a dry run), newest first per group. */
  removed: Id[];
  kept: Id[];
  /** Snapshots the filter left out of consideration. */
  untouched: number;
  /** The snapshots were named (`ids`), not chosen by the policy; `plan` then has no groups. */
  byId: boolean;
  /** With `ids`: the snapshots they named (all removed unless a dry run), oldest first. */
  named?: SnapshotEntry[];
  prune?: PruneResult;
}

export async function forget(repo: Repository, opts: ForgetOptions): Promise<ForgetResult> {
  // A dry run changes nothing: a shared lock keeps a prune from deleting under it.
  return withLock(
    repo,
    { exclusive: !opts.dryRun, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError, deletes: opts.dryRun ? undefined : 'forget' },
    async (lock) => {
      // A lock that can no longer be refreshed stops the forget before its next change.
      const signal = anySignal(opts.signal, lock.lost);
      // With the UTC offset each time was written with: restic buckets by it.
      let result: ForgetResult;
      if (opts.ids?.length) {
        const selection = await selectSnapshots(repo, opts.ids, opts.filter, { signal });
        for (const w of selection.warnings) opts.onWarning?.(w);
        const plan = { groupBy: opts.groupBy ?? parseGroupBy(), policy: opts.policy, groups: [] };
        result = { dryRun: opts.dryRun === true, plan, removed: selection.snapshots.map((s) => s.id), kept: [], untouched: 0, byId: true, named: selection.snapshots };
      } else {
        const all = await repo.loadSnapshotFiles(retentionEntryFromDocument, { signal });
        const considered = opts.filter ? all.filter((e) => matchesFilter(e, opts.filter!)) : all;
        const plan = planForget(considered, opts.policy, { groupBy: opts.groupBy, nowMs: opts.nowMs, localTimeZone: opts.localTimeZone });
        const removed = plan.groups.flatMap((g) => g.remove.map((e) => e.id));
        const kept = plan.groups.flatMap((g) => g.keep.map((e) => e.id));
        result = { dryRun: opts.dryRun === true, plan, removed, kept, untouched: all.length - considered.length, byId: false };
      }
      const removed = result.removed;
      // As restic: a prune follows only when snapshots were (or would be) removed.
      const prune = opts.prune && removed.length > 0 ? opts.prune : undefined;
      if (opts.dryRun) {
        opts.onForgotten?.(result);
        if (prune) result.prune = await pruneLocked(repo, { ...prune, dryRun: true, ignoreSnapshots: new Set(removed), signal });
        return result;
      }
      await forEachLimited(removed, Math.max(2, repo.backend.connections), async (id) => {
        throwIfAborted(signal);
        await repo.backend.remove({ type: 'snapshot', name: id });
        opts.onRemoved?.(id);
      });
      opts.onForgotten?.(result);
      if (prune) result.prune = await pruneLocked(repo, { ...prune, signal });
      return result;
    },
  );
}
