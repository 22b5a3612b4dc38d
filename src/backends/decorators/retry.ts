/**
 * A Backend decorator that retries transient failures (5xx, 429, throttling, resets,
 * timeouts: the backends classify) with exponential backoff and full jitter, within a
 * bound on attempts and on elapsed time, as restic's RetryBackend does. Permanent and
 * not-found errors pass through at once: the backend's message already names the object
 * and the likely cause. A cancelled call is never retried.
 */
import { BackendDecorator, BackendError, ChunkvaultError, ErrorCode, errorMessage, formatDuration, isTransient, relativePath, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../../engine/index.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Attempts per call, the first one included. @default 10 (restic's) */
  maxAttempts?: number;
  /** Upper bound of the first backoff; it doubles with each attempt. @default 500 */
  initialDelayMs?: number;
  /** Cap on one backoff. @default 30_000 */
  maxDelayMs?: number;
  /** No retry is scheduled past this much time since the call began. @default 300_000 (5 min) */
  maxElapsedMs?: number;
  /** Told about each retry before its backoff, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
  /** Clock, sleep and randomness; tests inject their own so they need not wait. */
  timing?: RetryTiming;
}

export interface RetryEvent {
  /** `load data/ab/ab12…` and the like. */
  call: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: BackendError;
}

export interface RetryTiming {
  now(): number;
  /** Resolves after `ms`, rejects when the signal fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const SYSTEM_TIMING: RetryTiming = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  random: () => Math.random(),
};

/** How long the cleanup after a failed or cancelled save may take. */
const CLEANUP_TIMEOUT_MS = 15_000;

export class RetryBackend extends BackendDecorator {
  readonly #maxAttempts: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxElapsedMs: number;
  readonly #onRetry: RetryOptions['onRetry'];
  readonly #timing: RetryTiming;

  constructor(inner: Backend, opts: RetryOptions = {}) {
    super(inner);
    this.#maxAttempts = Math.max(1, opts.maxAttempts ?? 10);
    this.#initialDelayMs = opts.initialDelayMs ?? 500;
    this.#maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.#maxElapsedMs = opts.maxElapsedMs ?? 300_000;
    this.#onRetry = opts.onRetry;
    this.#timing = opts.timing ?? SYSTEM_TIMING;
  }

  create(opts?: CallOptions): Promise<void> {
    return this.#retry('create', opts?.signal, () => this.inner.create(opts));
  }

  /**
   * Re-sends the whole payload on each attempt. A failed attempt may have left part of
   * the file on a server that does not write atomically, or the whole file when only the
   * answer was lost (rest-server then refuses a second upload), so it is removed first,
   * as restic does. Content-addressed names make that safe: nothing refers to the file
   * until this call returns.
   */
  save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    return this.#retry(`save ${relativePath(h)}`, opts?.signal, async () => {
      try {
        await this.inner.save(h, data, opts);
      } catch (e) {
        if (isTransient(e) || opts?.signal?.aborted) {
          await this.inner.remove(h, { signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) }).catch(() => {});
        }
        throw e;
      }
    });
  }

  load(h: Handle, length = 0, offset = 0, opts?: CallOptions): Promise<Uint8Array> {
    return this.#retry(`load ${relativePath(h)}`, opts?.signal, () => this.inner.load(h, length, offset, opts));
  }

  stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    return this.#retry(`stat ${relativePath(h)}`, opts?.signal, () => this.inner.stat(h, opts));
  }

  remove(h: Handle, opts?: CallOptions): Promise<void> {
    return this.#retry(`remove ${relativePath(h)}`, opts?.signal, () => this.inner.remove(h, opts));
  }

  /** A listing that fails part-way is started again; names already yielded are skipped. */
  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    const signal = opts?.signal;
    checkNotAborted(signal);
    const yielded = new Set<string>();
    const started = this.#timing.now();
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const f of this.inner.list(type, opts)) {
          if (yielded.has(f.name)) continue;
          yielded.add(f.name);
          yield f;
        }
        return;
      } catch (e) {
        await this.#backoff(e, `list ${type}`, attempt, started, signal);
      }
    }
  }

  async #retry<T>(call: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    checkNotAborted(signal);
    const started = this.#timing.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        await this.#backoff(e, call, attempt, started, signal);
      }
    }
  }

  /** Rethrows `e` unless another attempt is due, in which case it waits the backoff. */
  async #backoff(e: unknown, call: string, attempt: number, started: number, signal: AbortSignal | undefined): Promise<void> {
    checkNotAborted(signal, e);
    if (!isTransient(e)) throw e;
    const error = e as BackendError;
    // Full jitter: uniform in [0, min(cap, initial * 2^(attempt-1))).
    const ceiling = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** (attempt - 1));
    const delayMs = Math.floor(this.#timing.random() * ceiling);
    const elapsedMs = this.#timing.now() - started;
    if (attempt >= this.#maxAttempts || elapsedMs + delayMs > this.#maxElapsedMs) {
      throw new BackendError(
        'transient',
        `${error.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${formatDuration(elapsedMs)})`,
        { cause: error },
      );
    }
    this.#onRetry?.({ call, attempt, delayMs, error });
    try {
      await this.#timing.sleep(delayMs, signal);
    } catch (sleepError) {
      checkNotAborted(signal, sleepError);
      throw sleepError;
    }
  }
}

function checkNotAborted(signal: AbortSignal | undefined, cause?: unknown): void {
  if (signal?.aborted) {
    throw new ChunkvaultError(ErrorCode.Aborted, 'operation cancelled', { cause: cause ?? signal.reason });
  }
}

/** A short description of a retry, for a log line. */
export function describeRetry(event: RetryEvent): string {
  return `${event.call} failed (attempt ${event.attempt}), retrying in ${formatDuration(event.delayMs)}: ${errorMessage(event.error)}`;
}
