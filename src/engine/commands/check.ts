/**
 * The check operation: take the lock restic's check takes (exclusive, so that no prune or
 * backup changes the repository under the checker), then run the checker. Without a lock
 * (`noLock`, restic's `--no-lock`, or read-only storage) the results may show a concurrent
 * writer's half-finished work.
 */
import type { ReadOperationOptions } from '../operation.ts';
import { checkRepository, type CheckerOptions, type CheckReport } from '../checker/index.ts';
import { withReadLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';

export interface CheckOptions extends CheckerOptions, Pick<ReadOperationOptions, 'lockWaitMs' | 'onLockRefreshError' | 'noLock' | 'onWarning'> {}

export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckReport> {
  return withReadLock(repo, true, opts, () => checkRepository(repo, opts));
}
