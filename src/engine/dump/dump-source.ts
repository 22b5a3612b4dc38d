/**
 * A dump source: a producer whose output becomes one file of a snapshot without ever
 * touching the disk (a `pg_dump` piped into the backup, restic's `--stdin`). The engine
 * only sees this interface; starting processes is the runtime's business
 * (src/process/dump-command.ts), so the engine stays pure.
 */
import { invalidInput } from '../errors.ts';

export interface DumpSource {
  /** The file's name in the snapshot's root directory (restic's --stdin-filename). */
  readonly filename: string;
  /** What produces the bytes, for messages: `command 'pg_dump app'`, or `standard input`. */
  readonly label: string;
  /** Accept a dump of zero bytes. @default false (an empty dump is almost always a failed one) */
  readonly allowEmpty?: boolean;
  /**
   * Starts the producer. Called once, inside the repository lock with the index loaded,
   * when the pipeline is ready to take its bytes. `signal` stops it.
   */
  start(signal?: AbortSignal): RunningDump;
}

export interface RunningDump {
  /**
   * The bytes, in order. Reading drives the producer: while the pipeline is behind and
   * nobody reads, the producer is paused (its pipe is full). Ending the iteration early
   * abandons the output.
   */
  readonly output: AsyncIterable<Uint8Array>;
  /**
   * Settles once the producer has ended and its error output is complete. Never rejects:
   * how it ended (exit status, signal, failure to start) is in the value.
   */
  readonly ended: Promise<DumpEnd>;
  /** Stops the producer and everything it started; safe to call at any time, more than once. */
  stop(): void;
}

export interface DumpEnd {
  /** The exit code; null when killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that killed it, if one did. */
  signal: string | null;
  /** Why it could not be started, if it could not (e.g. `spawn pg_dump ENOENT`). */
  startError?: string;
  /** The last lines of its standard error, oldest first. */
  stderrTail: string[];
}

/**
 * The dump's name must be one plain file name: it becomes `/<name>` in the snapshot, as
 * restic's `--stdin-filename` does (restic would make directories for a name with `/`,
 * which nobody restoring a dump expects).
 */
export function checkDumpFilename(name: string, what = "the dump's file name"): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw invalidInput(`${what} must be a plain file name (no '/', not '.' or '..'); got '${name}'`);
  }
  return name;
}
