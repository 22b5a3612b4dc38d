/**
 * What every long engine operation takes besides its own options: a way to stop it, a
 * way to watch it, and how it behaves around the repository lock. One type, so that the
 * action and the CLI wire these the same way for every command.
 */
export interface OperationOptions<Progress = never> {
  /** Stops the operation; it ends with the signal's reason, leaving the repository consistent. */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` while the operation runs, and once at the end. */
  onProgress?: (progress: Progress) => void;
  /** @default 10000 */
  progressIntervalMs?: number;
  /** How long to wait for another process's conflicting lock to go away. @default 0 */
  lockWaitMs?: number;
  /** A lock refresh failed but the lock is not yet lost: worth a warning, not a failure. */
  onLockRefreshError?: (error: unknown) => void;
  /** Something the user should know that does not stop the operation. */
  onWarning?: (message: string) => void;
}

/**
 * Operations that only read: they may run without a lock, as restic's `--no-lock`, and do
 * so by themselves when the storage refuses the lock file (read-only credentials).
 */
export interface ReadOperationOptions<Progress = never> extends OperationOptions<Progress> {
  /** Do not lock the repository. @default false */
  noLock?: boolean;
}
