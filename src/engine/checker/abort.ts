/**
 * The checker turns failures into findings and keeps going; cancellation and our own bugs
 * must not be swallowed that way. Every catch in the checker calls this first.
 */
import { ChunkvaultError, ErrorCode, isChunkvaultError, throwIfAborted } from '../errors.ts';

/** Rethrows `e` when it means "stop" (the signal fired) or "bug" (an Internal error). */
export function rethrowIfAborted(e: unknown, signal: AbortSignal | undefined): void {
  throwIfAborted(signal);
  if (isChunkvaultError(e, ErrorCode.Aborted) || isChunkvaultError(e, ErrorCode.Internal)) throw e;
  if (e instanceof Error && e.name === 'AbortError') throw new ChunkvaultError(ErrorCode.Aborted, 'operation cancelled', { cause: e });
}
