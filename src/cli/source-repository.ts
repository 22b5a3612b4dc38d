/**
 * The second repository of `copy` and `init --copy-chunker-params`, named as restic 0.14
 * names it: --from-repo or --from-repository-file (RESTIC_FROM_REPOSITORY,
 * RESTIC_FROM_REPOSITORY_FILE), with its password from --from-password-file
 * (RESTIC_FROM_PASSWORD_FILE) or RESTIC_FROM_PASSWORD. Its own flags and variables only:
 * the destination's password never opens the source by accident.
 */
import { readFile } from 'node:fs/promises';
import { ChunkvaultError, ErrorCode, isChunkvaultError, Repository, type CompressionMode } from '../engine/index.ts';
import { openCliStorage, type GlobalOptions } from './globals.ts';

export interface SourceRepositoryArgs {
  'from-repo'?: string;
  'from-repository-file'?: string;
  'from-password-file'?: string;
}

export const SOURCE_REPOSITORY_FLAGS = {
  'from-repo': { type: 'string' },
  'from-repository-file': { type: 'string' },
  'from-password-file': { type: 'string' },
} as const;

/** Whether a source repository was named at all (by a flag or restic's variables). */
export function sourceRepositoryGiven(args: SourceRepositoryArgs, env: NodeJS.ProcessEnv): boolean {
  return Boolean(args['from-repo'] ?? args['from-repository-file'] ?? env.RESTIC_FROM_REPOSITORY ?? env.RESTIC_FROM_REPOSITORY_FILE);
}

async function readTextFile(file: string, flag: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: unknown) => {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `cannot read ${flag} ${file}: ${(e as Error).message}`);
  });
}

async function sourceLocation(args: SourceRepositoryArgs, env: NodeJS.ProcessEnv): Promise<string> {
  const repo = args['from-repo'] ?? (args['from-repository-file'] ? undefined : env.RESTIC_FROM_REPOSITORY);
  const file = args['from-repository-file'] ?? (args['from-repo'] ? undefined : env.RESTIC_FROM_REPOSITORY_FILE);
  if (repo && file) throw new ChunkvaultError(ErrorCode.InvalidInput, '--from-repo and --from-repository-file name the same thing: give only one');
  if (repo) return repo;
  if (file) return (await readTextFile(file, '--from-repository-file')).trim();
  throw new ChunkvaultError(ErrorCode.InvalidInput, 'no source repository given: pass --from-repo (or --from-repository-file), or set RESTIC_FROM_REPOSITORY');
}

async function sourcePassword(args: SourceRepositoryArgs, env: NodeJS.ProcessEnv): Promise<string> {
  const file = args['from-password-file'] ?? env.RESTIC_FROM_PASSWORD_FILE;
  // restic strips one trailing newline from password files.
  if (file) return (await readTextFile(file, '--from-password-file')).replace(/\r?\n$/, '');
  const password = env.RESTIC_FROM_PASSWORD;
  if (!password) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, 'no password for the source repository: pass --from-password-file, or set RESTIC_FROM_PASSWORD');
  }
  return password;
}

/** Opens the source repository; a wrong password names the flag that gave it. */
export async function openSourceRepository(
  g: GlobalOptions,
  args: SourceRepositoryArgs,
  env: NodeJS.ProcessEnv,
  opts: { compression?: CompressionMode; signal?: AbortSignal } = {},
): Promise<Repository> {
  const location = await sourceLocation(args, env);
  const password = await sourcePassword(args, env);
  const { backend, metadataCache } = await openCliStorage({ ...g, repo: location }, env, { withCache: true });
  let repo: Repository;
  try {
    repo = await Repository.open(backend, password, opts);
  } catch (e) {
    if (isChunkvaultError(e, ErrorCode.WrongPassword)) {
      throw new ChunkvaultError(ErrorCode.WrongPassword, `source repository: ${e.message}; check --from-password-file (or RESTIC_FROM_PASSWORD)`, { cause: e });
    }
    if (isChunkvaultError(e, ErrorCode.RepositoryNotFound)) {
      throw new ChunkvaultError(ErrorCode.RepositoryNotFound, `source repository: ${e.message}; check --from-repo`, { cause: e });
    }
    throw e;
  }
  await metadataCache?.attach(repo.id).catch((e: unknown) => {
    process.stderr.write(`metadata cache in ${metadataCache.baseDir} not used: ${(e as Error).message}\n`);
  });
  return repo;
}
