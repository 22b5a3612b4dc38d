/**
 * Options every command shares: where the repository is and its password, from flags or,
 * as restic reads them, from the environment.
 */
import { readFile } from 'node:fs/promises';
import { openBackend } from '../backends/location.ts';
import { ChunkvaultError, ErrorCode } from '../engine/errors.ts';
import { Repository } from '../engine/repository/repository.ts';
import type { CompressionMode } from '../engine/compress/zstd.ts';
import type { Backend } from '../backends/backend.ts';

export interface GlobalOptions {
  repo?: string;
  passwordFile?: string;
  json: boolean;
  quiet: boolean;
}

export const GLOBAL_FLAGS = {
  repo: { type: 'string', short: 'r' },
  'password-file': { type: 'string', short: 'p' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function repositoryLocation(g: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const location = g.repo ?? env.CHUNKVAULT_REPOSITORY ?? env.RESTIC_REPOSITORY;
  if (!location) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, 'no repository given: pass -r/--repo, or set RESTIC_REPOSITORY');
  }
  return location;
}

export async function readPassword(g: GlobalOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const file = g.passwordFile ?? env.CHUNKVAULT_PASSWORD_FILE ?? env.RESTIC_PASSWORD_FILE;
  if (file) {
    const text = await readFile(file, 'utf8').catch((e: unknown) => {
      throw new ChunkvaultError(ErrorCode.InvalidInput, `cannot read the password file ${file}: ${(e as Error).message}`);
    });
    // restic strips one trailing newline from password files.
    return text.replace(/\r?\n$/, '');
  }
  const password = env.CHUNKVAULT_PASSWORD ?? env.RESTIC_PASSWORD;
  if (password === undefined || password === '') {
    throw new ChunkvaultError(
      ErrorCode.InvalidInput,
      'no password given: pass --password-file, or set CHUNKVAULT_PASSWORD or RESTIC_PASSWORD',
    );
  }
  return password;
}

export function backendFor(g: GlobalOptions, env: NodeJS.ProcessEnv): Backend {
  return openBackend(repositoryLocation(g, env), { baseDir: process.cwd() });
}

export async function openRepository(
  g: GlobalOptions,
  env: NodeJS.ProcessEnv,
  opts: { compression?: CompressionMode; signal?: AbortSignal } = {},
): Promise<Repository> {
  const backend = backendFor(g, env);
  return Repository.open(backend, await readPassword(g, env), opts);
}
