/**
 * Writing to a caller's stream with backpressure: each write waits for 'drain' when the
 * stream's buffer is full, so a slow reader (psql, a network pipe) holds the producer
 * back and memory stays flat. A stream that fails (EPIPE when the reader went away)
 * ends the work with an OutputClosed error instead of an unhandled 'error' event.
 */
import type { Writable } from 'node:stream';
import { ChunkvaultError, ErrorCode, isChunkvaultError, throwIfAborted } from '../errors.ts';

export class OutputSink {
  readonly #out: Writable;
  #failure: Error | undefined;
  readonly #onError = (e: Error) => {
    this.#failure ??= e;
  };
  bytesWritten = 0;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', this.#onError);
  }

  async write(chunk: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.#check();
    throwIfAborted(signal);
    this.bytesWritten += chunk.byteLength;
    if (this.#out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: unknown) => {
        this.#out.off('drain', onDrain);
        this.#out.off('close', onClose);
        this.#out.off('error', onClose);
        signal?.removeEventListener('abort', onAbort);
        if (e === undefined) resolve();
        else reject(e instanceof Error ? e : new Error(String(e)));
      };
      const onDrain = () => done();
      const onClose = (e?: Error) => done(outputClosed(e ?? this.#failure ?? new Error('the output was closed')));
      const onAbort = () => done(signal?.reason);
      this.#out.once('drain', onDrain);
      this.#out.once('close', onClose);
      this.#out.once('error', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    this.#check();
  }

  /** Stops listening for the stream's errors; the caller owns the stream again. */
  release(): void {
    this.#out.off('error', this.#onError);
  }

  #check(): void {
    if (this.#failure) throw outputClosed(this.#failure);
  }
}

function outputClosed(cause: Error): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.Target, `cannot write the output: ${cause.message}`, { cause });
}

/** Whether the output failed because its reader went away (a pipe into `head`): not worth an error message. */
export function isOutputGone(e: unknown): boolean {
  if (!isChunkvaultError(e, ErrorCode.Target)) return false;
  const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
