/** Runs the chunkvault CLI from source, on the Node that runs the tests (24). */
import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILE_CACHE_ENV } from './compile-cache.ts';

const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
  /** The signal that ended the process, when one did (SIGKILL in the crash tests). */
  signal?: NodeJS.Signals;
}

/** `killAfterMs`: SIGKILL the run after that long, unless it ended first (the crash tests' random moments). */
export function runCli(args: string[], env: Record<string, string>, cwd?: string, opts: { killAfterMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      // Caches go to a directory of the tests', not the user's ~/.cache, unless a test names one.
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', CHUNKVAULT_CACHE_DIR: path.join(tmpdir(), 'chunkvault-test-cache'), ...COMPILE_CACHE_ENV, ...env },
        maxBuffer: 64 * 1024 * 1024,
        ...(opts.killAfterMs !== undefined ? { timeout: opts.killAfterMs, killSignal: 'SIGKILL' as const } : {}),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ stdout, stderr, code, ...(error?.signal ? { signal: error.signal } : {}) });
      },
    );
  });
}

/** Runs any command with only PATH and `env` in its environment (setpriv to drop to another user, say); never throws on exit codes. */
export function runCommand(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
