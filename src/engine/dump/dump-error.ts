/**
 * A dump that must not become a snapshot: its command failed, was killed, could not
 * start, or wrote nothing. Carries the exit status and the last lines of standard error,
 * which is what a person needs to fix a nightly dump (a wrong password, a missing database).
 */
import { ChunkvaultError, ErrorCode } from '../errors.ts';
import type { DumpEnd } from './dump-source.ts';

export type DumpFailure = 'exit' | 'signal' | 'start' | 'empty';

export class DumpError extends ChunkvaultError {
  readonly failure: DumpFailure;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: readonly string[];

  constructor(failure: DumpFailure, label: string, end: DumpEnd, options?: { cause?: unknown }) {
    super(ErrorCode.Dump, dumpMessage(failure, label, end), options);
    this.name = 'DumpError';
    this.failure = failure;
    this.exitCode = end.exitCode;
    this.signal = end.signal;
    this.stderrTail = end.stderrTail;
  }
}

export function isDumpError(e: unknown): e is DumpError {
  return e instanceof DumpError;
}

/** Why a finished dump failed, or undefined when it succeeded. */
export function dumpFailure(end: DumpEnd): DumpFailure | undefined {
  if (end.startError !== undefined) return 'start';
  if (end.signal !== null) return 'signal';
  if (end.exitCode !== 0) return 'exit';
  return undefined;
}

function dumpMessage(failure: DumpFailure, label: string, end: DumpEnd): string {
  let head: string;
  switch (failure) {
    case 'start':
      head = `dump ${label} could not be started: ${end.startError}`;
      break;
    case 'signal':
      head = `dump ${label} was killed by ${end.signal}`;
      break;
    case 'exit':
      head = `dump ${label} failed with exit status ${end.exitCode}`;
      break;
    case 'empty':
      // It exited with status 0 (anything else is an 'exit' failure) and wrote no byte.
      head = `the dump from ${label} is empty: an empty dump is refused unless explicitly allowed`;
      break;
  }
  head += '; no snapshot was written';
  if (end.stderrTail.length > 0) return `${head}. The last lines of its standard error:\n${end.stderrTail.map((l) => `  ${l}`).join('\n')}`;
  if (failure === 'empty' || failure === 'start') return head;
  return `${head} (it wrote nothing to standard error)`;
}
