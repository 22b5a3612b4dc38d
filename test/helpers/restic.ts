/**
 * Runs the real restic CLI (Debian's restic 0.14) against a repository. A missing restic
 * is a failure, never a skip: interoperability is what these tests are for.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const RESTIC_BIN = process.env.RESTIC_BIN ?? '/usr/bin/restic';

export interface ResticResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function assertResticInstalled(): void {
  if (!existsSync(RESTIC_BIN)) {
    throw new Error(`restic is not installed at ${RESTIC_BIN}: run 'apt-get install restic' (.ci/run does this)`);
  }
}

/** The environment restic runs with in tests: this repository and password, UTC, a private cache. */
export function resticEnvironment(opts: { repo: string; password: string; cacheDir: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    TZ: 'UTC',
    RESTIC_REPOSITORY: opts.repo,
    RESTIC_PASSWORD: opts.password,
    RESTIC_CACHE_DIR: path.join(opts.cacheDir, 'restic-cache'),
  };
}

/** Runs restic with the repository and password in its environment; never throws on exit codes. */
export function runRestic(
  args: string[],
  opts: { repo: string; password: string; cacheDir: string; cwd?: string; env?: Record<string, string> },
): Promise<ResticResult> {
  assertResticInstalled();
  return new Promise((resolve) => {
    execFile(
      RESTIC_BIN,
      args,
      {
        cwd: opts.cwd,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...resticEnvironment(opts), ...opts.env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Like runRestic, but fails with restic's own output when it exits non-zero. */
export async function restic(args: string[], opts: Parameters<typeof runRestic>[1]): Promise<string> {
  const r = await runRestic(args, opts);
  if (r.code !== 0) throw new Error(`restic ${args.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
