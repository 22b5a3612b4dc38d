/**
 * Dump sources for the engine: a command whose standard output is the dump (run by bash
 * for the action's `dump-command`, exec'd without a shell for the CLI's
 * `--stdin-from-command -- CMD ARGS...`), or an already open stream (the CLI's `--stdin`).
 *
 * The command's standard output is read straight from its pipe by the chunker: no
 * temporary file, no copy of the dump in memory. When the pipeline is behind, the pipe
 * fills and the command blocks in its write until the backup catches up. Its standard
 * error goes line by line to a callback (the log) and its last lines are kept for the
 * failure message.
 *
 * The command runs in its own process group. When it exits, is stopped, or the backup is
 * cancelled, the whole group is terminated (SIGTERM, then SIGKILL), so nothing it started
 * outlives the backup. The caller gives the environment: use `commandEnvironment`, which
 * leaves out the repository password and the action's tokens.
 */
import { endProcessGroup, LineTail } from './process-group.ts';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { DumpEnd, DumpSource, RunningDump } from '../engine/index.ts';

/** Lines of standard error kept for the failure message. */
const STDERR_TAIL_LINES = 10;
/** A line longer than this is cut in the failure message (the log gets it whole). */
const STDERR_LINE_MAX_CHARS = 500;

export interface DumpCommandOptions {
  /** The dump's file name in the snapshot. */
  filename: string;
  allowEmpty?: boolean;
  /** The command's whole environment (see commandEnvironment). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line the command writes to standard error. */
  onStderrLine?: (line: string) => void;
}

/** A shell command line, run as the drill's command is: bash -e -o pipefail -c. */
export function shellDumpSource(command: string, opts: DumpCommandOptions): DumpSource {
  // pipefail: `pg_dump db | gzip` fails when pg_dump fails, not only when gzip does.
  return commandSource('bash', ['-e', '-o', 'pipefail', '-c', command], `command '${command}'`, opts);
}

/** A program and its arguments, exec'd without a shell (restic's --stdin-from-command). */
export function execDumpSource(argv: readonly string[], opts: DumpCommandOptions): DumpSource {
  if (argv.length === 0) throw new Error('execDumpSource: no command given');
  return commandSource(argv[0]!, argv.slice(1), `command '${argv.join(' ')}'`, opts);
}

/** An open stream, read to its end (the CLI's --stdin). */
export function streamDumpSource(stream: Readable, opts: { filename: string; allowEmpty?: boolean; label?: string }): DumpSource {
  return {
    filename: opts.filename,
    label: opts.label ?? 'standard input',
    allowEmpty: opts.allowEmpty,
    start(): RunningDump {
      return {
        output: stream,
        // Called after the stream was read to its end: nothing more can go wrong.
        ended: Promise.resolve({ exitCode: 0, signal: null, stderrTail: [] }),
        stop: () => stream.destroy(),
      };
    },
  };
}

function commandSource(file: string, args: string[], label: string, opts: DumpCommandOptions): DumpSource {
  return {
    filename: opts.filename,
    label,
    allowEmpty: opts.allowEmpty,
    start: (signal) => startCommand(file, args, opts, signal),
  };
}

function startCommand(file: string, args: string[], opts: DumpCommandOptions, signal: AbortSignal | undefined): RunningDump {
  const child = spawn(file, args, {
    env: opts.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stderr = new LineTail(STDERR_TAIL_LINES, opts.onStderrLine);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => stderr.push(text));

  let exited = false;
  const endGroup = () => endProcessGroup(child);
  const stop = () => {
    // Abandoned output: destroying our end of the pipe makes a writer fail with EPIPE.
    child.stdout.destroy();
    if (!exited) endGroup();
  };
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();

  const ended = new Promise<DumpEnd>((resolve) => {
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    child.on('exit', (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      // Whatever it left running (a background job holding the pipe) goes with it.
      endGroup();
    });
    // 'close' comes after the exit and once both pipes are closed: stderr is complete.
    child.on('close', () => {
      signal?.removeEventListener('abort', stop);
      stderr.end();
      const stderrTail = stderr.lines.map((line) => (line.length > STDERR_LINE_MAX_CHARS ? `${line.slice(0, STDERR_LINE_MAX_CHARS)}…` : line));
      resolve({ exitCode, signal: exitSignal, stderrTail });
    });
    child.on('error', (e) => {
      // Only reported when it could not be started (or signalled, which we never need to
      // report: the group is killed by process.kill above, not child.kill).
      if (exited || child.pid !== undefined) return;
      signal?.removeEventListener('abort', stop);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ exitCode: null, signal: null, startError: e.message, stderrTail: [] });
    });
  });
  return { output: child.stdout, ended, stop };
}
