/**
 * Whether the reader of stdout is still there: `chunkvault ls ... | head` closes the pipe
 * early, and a write then fails with EPIPE. Commands that stream to stdout stop quietly
 * (exit 0) instead of printing an error or crashing on an unhandled 'error' event.
 */
import { anySignal } from '../engine/index.ts';

export interface StdoutReader {
  /** Aborts when the reader went away, or when `signal` does. */
  readonly signal: AbortSignal;
  gone(): boolean;
  dispose(): void;
}

export function watchStdoutReader(signal: AbortSignal): StdoutReader {
  const controller = new AbortController();
  let gone = false;
  const onError = (e: NodeJS.ErrnoException) => {
    gone = true;
    controller.abort(e);
  };
  process.stdout.on('error', onError);
  return {
    signal: anySignal(signal, controller.signal),
    gone: () => gone,
    dispose: () => {
      // Later writes to a closed pipe must not crash the process either.
      if (!gone) process.stdout.off('error', onError);
    },
  };
}
