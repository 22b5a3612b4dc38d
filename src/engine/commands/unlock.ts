/**
 * Removing locks left behind by processes that died (a cancelled job killed mid-prune):
 * by default only stale ones, restic's rule (not refreshed for 30 minutes, or held by a
 * process of this host that no longer runs); with `removeAll`, every lock, for when the
 * user knows that nothing uses the repository.
 */
import type { OperationOptions } from '../operation.ts';
import { isStale, listLocks, type LockHolder } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';

export interface UnlockOptions extends Pick<OperationOptions, 'signal'> {
  /** Remove every lock, not only stale ones. @default false */
  removeAll?: boolean;
}

export interface UnlockResult {
  removed: LockHolder[];
  /** Locks that look alive and were left alone. */
  kept: LockHolder[];
}

export async function unlock(repo: Repository, opts: UnlockOptions = {}): Promise<UnlockResult> {
  const result: UnlockResult = { removed: [], kept: [] };
  for (const holder of await listLocks(repo, opts.signal)) {
    if (opts.removeAll || isStale(holder.info)) {
      await repo.backend.remove({ type: 'lock', name: holder.id }, { signal: opts.signal });
      result.removed.push(holder);
    } else {
      result.kept.push(holder);
    }
  }
  return result;
}
