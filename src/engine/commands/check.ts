/**
 * The check operation: take the lock restic's check takes (exclusive, so that no prune or
 * backup changes the repository under the checker), then run the checker. `noLock` is
 * restic's `--no-lock`, for read-only storage; the results may then show a concurrent
 * writer's half-finished work.
 */
import type { OperationOptions } from '../operation.ts';
import { checkRepository, type CheckerOptions, type CheckReport } from '../checker/index.ts';
import { withLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';

export interface CheckOptions extends CheckerOptions, Pick<OperationOptions, 'lockWaitMs' | 'onLockRefreshError'> {
  /** Check without locking the repository. @default false */
  noLock?: boolean;
}

export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckReport> {
  if (opts.noLock) return checkRepository(repo, opts);
  return withLock(
    repo,
    { exclusive: true, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError },
    () => checkRepository(repo, opts),
  );
}
