/**
 * Runs a user's shell command (the drill's check command), streaming its output lines to
 * a callback and keeping the last ones for a failure message. Shared by the CLI and the
 * action; the engine only sees the outcome.
 *
 * The command runs in its own process group. It is done when bash exits, not when its
 * output pipes close: a daemon it started (`pg_ctl start`) would otherwise hold the drill
 * open. When it exits, or is cancelled, whatever it left running in its group is
 * terminated, so no process outlives the drill's scratch directory.
 */
import { endProcessGroup, LineTail } from './process-group.ts';
import { spawn } from 'node:child_process';
import type { CommandOutcome } from '../engine/index.ts';

const TAIL_LINES = 20;

export interface ShellOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

/**
 * The environment for a user command: the caller's, without the repository password and
 * without what the runner gives only to actions (inputs, runtime and OIDC tokens).
 */
export function commandEnvironment(env: NodeJS.ProcessEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('INPUT_')) continue;
    if (/^ACTIONS_(RUNTIME_TOKEN|RUNTIME_URL|ID_TOKEN_REQUEST_TOKEN|ID_TOKEN_REQUEST_URL|CACHE_URL|RESULTS_URL)$/.test(k)) continue;
    if (/^(RESTIC_PASSWORD|RESTIC_PASSWORD_FILE|RESTIC_PASSWORD_COMMAND|CHUNKVAULT_PASSWORD|CHUNKVAULT_PASSWORD_FILE)$/.test(k)) continue;
    out[k] = v;
  }
  return { ...out, ...extra };
}

export function runShell(command: string, opts: ShellOptions): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    // bash -e -o pipefail: a failing step in the middle of a pipeline fails the command.
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', command], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const output = new LineTail(TAIL_LINES, opts.onLine);
    const take = (chunk: Buffer) => output.push(chunk.toString('utf8'));
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const abort = () => endProcessGroup(child);
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', abort);
      reject(e);
    });
    child.on('exit', (exitCode, signal) => {
      opts.signal?.removeEventListener('abort', abort);
      endProcessGroup(child);
      child.stdout.destroy();
      child.stderr.destroy();
      output.end();
      resolve({ exitCode, signal, outputTail: output.lines.slice(-5).join(' | ') });
    });
  });
}
