/**
 * Runs a user's shell command (the drill's check command), streaming its output lines to
 * a callback and keeping the last ones for a failure message. Shared by the CLI and the
 * action; the engine only sees the outcome.
 */
import { spawn } from 'node:child_process';
import type { CommandOutcome } from '../engine/commands/drill.ts';

const TAIL_LINES = 20;

export interface ShellOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export function runShell(command: string, opts: ShellOptions): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    // bash -e -o pipefail: a failing step in the middle of a pipeline fails the command.
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', command], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    let partial = '';
    const take = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        opts.onLine?.(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const abort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', abort);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      opts.signal?.removeEventListener('abort', abort);
      if (partial) {
        opts.onLine?.(partial);
        tail.push(partial);
      }
      resolve({ exitCode, signal, outputTail: tail.slice(-5).join(' | ') });
    });
  });
}
