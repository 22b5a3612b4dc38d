/** Runs the chunkvault CLI from source, on the Node that runs the tests (24). */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
  /** The signal that ended the process, when one did (SIGKILL in the crash tests). */
  signal?: NodeJS.Signals;
}

export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ stdout, stderr, code, ...(error?.signal ? { signal: error.signal } : {}) });
      },
    );
  });
}
