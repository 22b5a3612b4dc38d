/**
 * Repository locks, as restic 0.14 takes them (restic-format.md section 9): a lock file
 * under locks/, checked against the others before and 200 ms after writing it, refreshed
 * every 5 minutes by writing a new file and deleting the old one, deleted on release.
 * Non-exclusive locks (backup, restore) coexist; an exclusive lock (prune, check) excludes
 * every other lock.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkvaultError, ErrorCode, errorMessage, throwIfAborted } from '../errors.ts';
import { parseLock, serializeLock, formatTime, type LockInfo } from '../format/index.ts';
import { shortId, type Id } from '../format/id.ts';
import { BackendError, isDenied } from '../storage/errors.ts';
import type { ReadOperationOptions } from '../operation.ts';
import { currentWorkflowRun, isEarlierAttempt } from './current-run.ts';
import { currentUser } from './current-user.ts';
import { formatDuration } from '../support/human.ts';
import { toHex } from '../support/bytes.ts';
import type { Repository } from './repository.ts';

/** restic refreshes its locks this often. */
export const LOCK_REFRESH_MS = 5 * 60 * 1000;
/** A lock older than this is stale (restic's rule). */
export const STALE_LOCK_MS = 30 * 60 * 1000;
const RECHECK_DELAY_MS = 200;
const RETRY_INTERVAL_MS = 5000;

export interface LockOptions {
  exclusive: boolean;
  /** How long to wait for a conflicting lock to go away. Default 0: fail at once. */
  waitMs?: number;
  signal?: AbortSignal;
  /** Called when a refresh fails; the lock may have been removed by someone else. */
  onRefreshError?: (e: unknown) => void;
  /** The operation deletes files (its name, for the message): prove that the credentials may, before it starts. */
  deletes?: string;
  /** The lock file could not be deleted at the end (append-only storage): say so. */
  onLeftBehind?: (message: string) => void;
  /** For tests: how often the lock is refreshed, and after how long without a refresh it counts as lost. */
  timing?: { refreshMs: number; lostAfterMs: number };
}

/**
 * A lock that could not be refreshed for this long is about to look stale to everyone
 * else (30 minutes), who may then remove it: the work under it must stop (restic 0.16's rule).
 */
const LOST_AFTER_MS = STALE_LOCK_MS - LOCK_REFRESH_MS;

export interface LockHolder {
  readonly id: Id;
  readonly info: LockInfo;
}

export class RepositoryLock {
  readonly #repo: Repository;
  readonly #info: Omit<LockInfo, 'time'>;
  #id: Id;
  #timer: NodeJS.Timeout | undefined;
  #released = false;
  #refreshing: Promise<void> | undefined;
  readonly #onRefreshError: ((e: unknown) => void) | undefined;
  readonly #onLeftBehind: ((message: string) => void) | undefined;
  /** Our own lock files the storage refused to delete (append-only credentials). */
  readonly #leftBehind: Id[] = [];
  readonly #timing: { refreshMs: number; lostAfterMs: number };
  #refreshedAt = Date.now();
  readonly #lost = new AbortController();

  private constructor(repo: Repository, id: Id, info: Omit<LockInfo, 'time'>, opts: LockOptions) {
    this.#repo = repo;
    this.#id = id;
    this.#info = info;
    this.#onRefreshError = opts.onRefreshError;
    this.#onLeftBehind = opts.onLeftBehind;
    this.#timing = opts.timing ?? { refreshMs: LOCK_REFRESH_MS, lostAfterMs: LOST_AFTER_MS };
  }

  get id(): Id {
    return this.#id;
  }

  /**
   * Fires when the lock could not be refreshed for 25 minutes: others will soon see it as
   * stale. Work that changes the repository checks it before each step.
   */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  static async acquire(repo: Repository, opts: LockOptions): Promise<RepositoryLock> {
    if (opts.deletes) await proveDeletesAllowed(repo, opts.deletes);
    const info = currentProcessLockInfo(opts.exclusive);
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (;;) {
      throwIfAborted(opts.signal);
      const conflict = await findConflict(repo, opts.exclusive, undefined, opts.signal);
      if (!conflict) {
        const id = await writeLock(repo, info);
        let late: LockHolder | undefined;
        try {
          await sleep(RECHECK_DELAY_MS, undefined, { signal: opts.signal });
          late = await findConflict(repo, opts.exclusive, id, opts.signal);
        } catch (e) {
          // Cancelled (or failed) between writing our lock and confirming it: take it back,
          // without the signal, which has already fired.
          await repo.backend.remove({ type: 'lock', name: id }).catch(() => {});
          throwIfAborted(opts.signal);
          throw e;
        }
        if (!late) {
          const lock = new RepositoryLock(repo, id, info, opts);
          lock.#schedule();
          return lock;
        }
        await repo.backend.remove({ type: 'lock', name: id });
        if (Date.now() >= deadline) throw lockedError(late, opts.exclusive, opts.waitMs ?? 0);
      } else if (Date.now() >= deadline) {
        throw lockedError(conflict, opts.exclusive, opts.waitMs ?? 0);
      }
      await sleep(Math.min(RETRY_INTERVAL_MS, Math.max(0, deadline - Date.now())), undefined, { signal: opts.signal }).catch(() => {});
    }
  }

  /**
   * Writes a fresh lock file, then deletes the previous one (files are immutable). Storage
   * that may not delete keeps the previous one: the fresh file is what others judge the
   * lock by, so the refresh still counts (else a long backup with append-only credentials
   * would count its lock as lost).
   */
  async refresh(): Promise<void> {
    if (this.#released) return;
    const old = this.#id;
    this.#id = await writeLock(this.#repo, this.#info);
    this.#refreshedAt = Date.now();
    try {
      await this.#repo.backend.remove({ type: 'lock', name: old });
    } catch (e) {
      if (!isDenied(e)) throw e;
      this.#leftBehind.push(old);
    }
  }

  /**
   * Deletes the lock file. Safe to call more than once. Storage that refuses deletes
   * (append-only credentials) keeps it: the work is done, so that is a warning, not a
   * failure; the lock turns stale after 30 minutes, and restic does the same.
   */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#timer);
    await this.#refreshing?.catch(() => {});
    try {
      await this.#repo.backend.remove({ type: 'lock', name: this.#id });
    } catch (e) {
      if (!isDenied(e)) throw e;
      this.#leftBehind.push(this.#id);
    }
    if (this.#leftBehind.length > 0) {
      const files = this.#leftBehind.map(shortId).join(', ');
      this.#onLeftBehind?.(
        `lock file${this.#leftBehind.length === 1 ? '' : 's'} ${files} stay${this.#leftBehind.length === 1 ? 's' : ''} in the repository, as these credentials may not delete: ` +
          'stale after 30 minutes, when `unlock` with credentials that may delete removes them',
      );
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#refreshing = this.refresh()
        .catch((e) => {
          this.#onRefreshError?.(e);
          if (Date.now() - this.#refreshedAt >= this.#timing.lostAfterMs && !this.#lost.signal.aborted) {
            this.#lost.abort(
              new ChunkvaultError(
                ErrorCode.Locked,
                `the repository lock could not be refreshed for ${formatDuration(Date.now() - this.#refreshedAt)} (${errorMessage(e)}): others may soon take it for stale and remove it, so the operation stopped`,
              ),
            );
          }
        })
        .finally(() => {
          if (!this.#released) this.#schedule();
        });
    }, this.#timing.refreshMs);
    // A pending refresh must not keep a finished process alive.
    this.#timer.unref();
  }
}

/** The warning to show when a refresh fails (the work goes on until the lock counts as lost). */
export function lockRefreshWarning(e: unknown): string {
  return `could not refresh the repository lock: ${errorMessage(e)}`;
}

/** Runs `fn` while holding a lock, releasing it however `fn` ends. */
export async function withLock<T>(repo: Repository, opts: LockOptions, fn: (lock: RepositoryLock) => Promise<T>): Promise<T> {
  return holding(await RepositoryLock.acquire(repo, opts), fn);
}

/** Runs `fn` under a lock already taken, and releases it however `fn` ends. */
async function holding<T>(lock: RepositoryLock, fn: (lock: RepositoryLock) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fn(lock);
  } catch (e) {
    // The operation's own failure is what the user needs to see, not a failed release.
    await lock.release().catch(() => {});
    throw e;
  }
  await lock.release();
  return result;
}

/**
 * Runs `fn`, which only reads, under a lock of the given kind; or without one when the
 * caller asks (`noLock`) or when the storage refuses to store the lock file: read-only
 * credentials may restore, check and list, as restic's `--no-lock` allows, and the
 * warning says so once. `fn` gets the lock's `lost` signal, if there is a lock.
 */
export async function withReadLock<T>(
  repo: Repository,
  exclusive: boolean,
  opts: Pick<ReadOperationOptions, 'noLock' | 'lockWaitMs' | 'signal' | 'onLockRefreshError' | 'onWarning'>,
  fn: (lost: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (opts.noLock) return fn(undefined);
  let lock: RepositoryLock;
  try {
    lock = await RepositoryLock.acquire(repo, { exclusive, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError, onLeftBehind: opts.onWarning });
  } catch (e) {
    if (!isDenied(e)) throw e;
    opts.onWarning?.(`running without a lock, as the storage refused the lock file (${errorMessage(e)}): a prune running at the same time could make this fail`);
    return fn(undefined);
  }
  return holding(lock, (held) => fn(held.lost));
}

export async function listLocks(repo: Repository, signal?: AbortSignal): Promise<LockHolder[]> {
  const out: LockHolder[] = [];
  for await (const f of repo.backend.list('lock', { signal })) {
    try {
      out.push({ id: f.name, info: parseLock(await repo.loadUnpacked('lock', f.name, { signal })) });
    } catch {
      // restic 0.14 ignores lock files it cannot read (they may be deleted while listing).
    }
  }
  return out;
}

/**
 * Stale: older than 30 minutes, or held by a process of this host that no longer runs
 * (restic's rules), or by an earlier attempt of the workflow run this process is part of
 * (a re-run starts only after that attempt ended).
 */
export function isStale(info: LockInfo, now = Date.now(), hostname = os.hostname(), run = currentWorkflowRun()): boolean {
  const ageMs = now - Number(info.time / 1_000_000n);
  if (ageMs > STALE_LOCK_MS) return true;
  if (isEarlierAttempt(info.run, run)) return true;
  if (info.hostname !== hostname) return false;
  try {
    // Signal 0 probes without side effects (restic sends SIGHUP, which we ignore anyway).
    process.kill(info.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * An operation that deletes (forget, prune, tag) first writes and deletes a shared lock
 * file: credentials that may not delete are found out before anything changed, and what
 * they leave behind is a shared lock, which keeps no backup out (an exclusive one would,
 * for 30 minutes). An append-only server (rest-server's and rclone's --append-only)
 * deletes lock files and nothing else, so it is then asked to delete a snapshot file that
 * does not exist: it refuses that too, where any other storage answers "not there".
 */
async function proveDeletesAllowed(repo: Repository, operation: string): Promise<void> {
  const probe = await writeLock(repo, currentProcessLockInfo(false));
  try {
    await repo.backend.remove({ type: 'lock', name: probe });
  } catch (e) {
    if (!isDenied(e)) throw e;
    throw new BackendError(
      'denied',
      `${operation} needs credentials that may delete files, and the storage refused to delete a lock file (${errorMessage(e)}); ` +
        `nothing else was changed. Run it with credentials that have delete permission (see "Least privilege" in the README); ` +
        `the shared lock ${shortId(probe)} it left keeps no backup out and counts as stale after 30 minutes`,
      { cause: e },
    );
  }
  try {
    await repo.backend.remove({ type: 'snapshot', name: toHex(randomBytes(32)) });
  } catch (e) {
    if (!isDenied(e)) throw e;
    throw new BackendError(
      'denied',
      `${operation} needs to delete files, and the storage deletes lock files but refused to delete another (${errorMessage(e)}): ` +
        `an append-only server? Nothing was changed. Run ${operation} against storage that allows deletes`,
      { cause: e },
    );
  }
}

function currentProcessLockInfo(exclusive: boolean): Omit<LockInfo, 'time'> {
  const user = currentUser();
  const info: Omit<LockInfo, 'time'> = {
    exclusive,
    hostname: os.hostname(),
    username: user.username,
    pid: process.pid,
  };
  if (user.uid > 0) info.uid = user.uid;
  if (user.gid > 0) info.gid = user.gid;
  const run = currentWorkflowRun();
  if (run) info.run = run;
  return info;
}

async function writeLock(repo: Repository, info: Omit<LockInfo, 'time'>): Promise<Id> {
  const time = BigInt(Date.now()) * 1_000_000n;
  const { id } = await repo.saveUnpacked('lock', serializeLock({ ...info, time }));
  return id;
}

async function findConflict(repo: Repository, exclusive: boolean, own: Id | undefined, signal?: AbortSignal): Promise<LockHolder | undefined> {
  for (const holder of await listLocks(repo, signal)) {
    if (holder.id === own) continue;
    if (exclusive || holder.info.exclusive) return holder;
  }
  return undefined;
}

/** Who holds a lock: user, host and pid, and the workflow run when it recorded one. */
export function describeHolder(info: LockInfo): string {
  const run = info.run ? `, workflow run ${info.run.repository}#${info.run.id} attempt ${info.run.attempt}${info.run.job ? ` job ${info.run.job}` : ''}` : '';
  return `${info.username}@${info.hostname} (pid ${info.pid}${run})`;
}

function lockedError(holder: LockHolder, wantExclusive: boolean, waitedMs: number): ChunkvaultError {
  const { info } = holder;
  const kind = info.exclusive ? 'an exclusive' : 'a';
  const stale = isStale(info)
    ? ' It looks stale (not refreshed for 30 minutes, or its process is gone): `chunkvault unlock` (or `restic unlock`) removes stale locks.'
    : '';
  return new ChunkvaultError(
    ErrorCode.Locked,
    `repository is locked: ${kind} lock ${shortId(holder.id)} is held by ${describeHolder(info)} since ${formatTime(info.time)}; ` +
      `${wantExclusive ? 'this operation needs the repository to itself' : 'nothing else can use the repository while an exclusive lock (prune, check) is held'}` +
      `${waitedMs > 0 ? `; waited ${formatDuration(waitedMs)} for it (lock-wait)` : '; set lock-wait to wait for it'}.${stale}`,
  );
}

