/**
 * Backend failures, classified so that callers and the retry decorator act on kind, not
 * on message text: `not-found` (the file does not exist), `transient` (worth retrying),
 * `denied` (the storage refuses this operation to these credentials: a read-only directory,
 * a bucket policy without PutObject or DeleteObject, an append-only server), `permanent`
 * (retrying cannot help: a bad request, a broken server).
 */
import type { Backend, CallOptions, Handle } from './backend.ts';
import { ChunkvaultError, ErrorCode } from '../errors.ts';

export type BackendErrorKind = 'not-found' | 'transient' | 'denied' | 'permanent';

export class BackendError extends ChunkvaultError {
  readonly kind: BackendErrorKind;
  constructor(kind: BackendErrorKind, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Backend, message, options);
    this.kind = kind;
    this.name = 'BackendError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof BackendError && e.kind === 'not-found';
}

/** The storage refused the operation for lack of permission (not worth retrying). */
export function isDenied(e: unknown): boolean {
  return e instanceof BackendError && e.kind === 'denied';
}

export function isTransient(e: unknown): boolean {
  return e instanceof BackendError && e.kind === 'transient';
}

/** Whether a file is there: a not-found stat says no, any other failure is thrown. */
export async function exists(backend: Backend, h: Handle, opts?: CallOptions): Promise<boolean> {
  try {
    await backend.stat(h, opts);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
