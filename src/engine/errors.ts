/**
 * Typed errors with stable codes. Callers switch on `code` (or use the `is*`
 * predicates), never on message text: codes survive bundling, messages may change.
 */

export const ErrorCode = {
  /** Bad input from the user: a flag, an input, a path. */
  InvalidInput: 'ERR_INVALID_INPUT',
  /** No key file opened with the given password. */
  WrongPassword: 'ERR_WRONG_PASSWORD',
  /** No repository at the location. */
  RepositoryNotFound: 'ERR_REPOSITORY_NOT_FOUND',
  /** A snapshot id or prefix that names no snapshot, or several; or no snapshot passes the filter for `latest` (a SnapshotNotFoundError). */
  SnapshotNotFound: 'ERR_SNAPSHOT_NOT_FOUND',
  /** `init` on a location that already holds a repository. */
  RepositoryExists: 'ERR_REPOSITORY_EXISTS',
  /** The repository holds something we do not support (version, KDF ...). */
  Unsupported: 'ERR_UNSUPPORTED',
  /** A MAC, hash or structural check failed: data is corrupt or was tampered with. */
  Integrity: 'ERR_INTEGRITY',
  /** Another process holds a conflicting lock. */
  Locked: 'ERR_LOCKED',
  /** The storage backend failed. */
  Backend: 'ERR_BACKEND',
  /** A source file could not be read (counted, not fatal, during backup). */
  Source: 'ERR_SOURCE',
  /** The restore target could not be written (permissions, space, a conflicting entry). */
  Target: 'ERR_TARGET',
  /** A dump command (or stdin) feeding a backup failed, was killed, or wrote nothing. */
  Dump: 'ERR_DUMP',
  /** The operation was cancelled through its AbortSignal. */
  Aborted: 'ERR_ABORTED',
  /** A bug: an invariant of our own did not hold. */
  Internal: 'ERR_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ChunkvaultError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'ChunkvaultError';
  }
}

export function isChunkvaultError(e: unknown, code?: ErrorCode): e is ChunkvaultError {
  return e instanceof ChunkvaultError && (code === undefined || e.code === code);
}

export const invalidInput = (message: string, cause?: unknown) =>
  new ChunkvaultError(ErrorCode.InvalidInput, message, { cause });
export const integrityError = (message: string, cause?: unknown) =>
  new ChunkvaultError(ErrorCode.Integrity, message, { cause });
export const internalError = (message: string) => new ChunkvaultError(ErrorCode.Internal, message);

/** A signal that fires when any of the given ones does. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

/** The message of anything thrown, for logs. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Throws when the signal has fired: its reason when that is one of our errors (a lost
 * lock says why), else a ChunkvaultError(Aborted).
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    if (signal.reason instanceof ChunkvaultError) throw signal.reason;
    throw new ChunkvaultError(ErrorCode.Aborted, 'operation cancelled', { cause: signal.reason });
  }
}
