/**
 * Options every command shares: where the repository is and its password, from flags or,
 * as restic reads them, from the environment.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeRetry } from '../backends/decorators/retry.ts';
import { storageFailpoint } from './failpoint.ts';
import { openStorage, parseConcurrency, type OpenedStorage, type StorageOptions } from '../backends/open-storage.ts';
import { parseLocation, type RepositoryLocation } from '../backends/repository-location.ts';
import type { RcloneOptions } from '../backends/rclone/rclone-backend.ts';
import { ChunkvaultError, ErrorCode, isChunkvaultError, Repository, type CompressionMode } from '../engine/index.ts';
import { splitShellWords } from './shell-words.ts';

export interface GlobalOptions {
  repo?: string;
  passwordFile?: string;
  json: boolean;
  quiet: boolean;
  /** How long to wait for another process's lock (--lock-wait). @default 0 */
  lockWaitMs?: number;
  /** Read commands run without a lock (--no-lock, restic's flag). */
  noLock?: boolean;
  /** Backend options as restic's -o takes them: `rclone.program=PATH`, `rclone.args=ARGS`. */
  options?: readonly string[];
}

export const GLOBAL_FLAGS = {
  repo: { type: 'string', short: 'r' },
  'password-file': { type: 'string', short: 'p' },
  json: { type: 'boolean', default: false },
  cacert: { type: 'string' },
  'lock-wait': { type: 'string' },
  'no-lock': { type: 'boolean', default: false },
  option: { type: 'string', short: 'o', multiple: true },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The repository from -r/--repo, CHUNKVAULT_REPOSITORY or RESTIC_REPOSITORY, parsed once (relative to the working directory). */
export function repositoryLocation(g: GlobalOptions, env: NodeJS.ProcessEnv): RepositoryLocation {
  const location = g.repo ?? env.CHUNKVAULT_REPOSITORY ?? env.RESTIC_REPOSITORY;
  if (!location) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, 'no repository given: pass -r/--repo, or set RESTIC_REPOSITORY');
  }
  try {
    return parseLocation(location, process.cwd());
  } catch (e) {
    if (isChunkvaultError(e, ErrorCode.InvalidInput)) throw new ChunkvaultError(e.code, `${repositorySource(g, env)}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Where the password comes from, as the user would name it: a flag or a variable (never the password). */
function passwordSource(g: GlobalOptions, env: NodeJS.ProcessEnv): string {
  if (g.passwordFile !== undefined) return `--password-file ${g.passwordFile}`;
  for (const name of ['CHUNKVAULT_PASSWORD_FILE', 'RESTIC_PASSWORD_FILE'] as const) if (env[name]) return `${name}=${env[name]}`;
  return env.CHUNKVAULT_PASSWORD !== undefined ? 'CHUNKVAULT_PASSWORD' : 'RESTIC_PASSWORD';
}

/** Where the repository location comes from: the flag or the variable that named it. */
function repositorySource(g: GlobalOptions, env: NodeJS.ProcessEnv): string {
  if (g.repo !== undefined) return '-r/--repo';
  return env.CHUNKVAULT_REPOSITORY !== undefined ? 'CHUNKVAULT_REPOSITORY' : 'RESTIC_REPOSITORY';
}

export async function readPassword(g: GlobalOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const file = g.passwordFile ?? env.CHUNKVAULT_PASSWORD_FILE ?? env.RESTIC_PASSWORD_FILE;
  if (file) {
    const text = await readFile(file, 'utf8').catch((e: unknown) => {
      throw new ChunkvaultError(ErrorCode.InvalidInput, `cannot read the password file (${passwordSource(g, env)}): ${(e as Error).message}`);
    });
    // restic strips one trailing newline from password files.
    const password = text.replace(/\r?\n$/, '');
    // Said here, not reported later as a wrong password: an empty file is a different mistake.
    if (password === '') throw new ChunkvaultError(ErrorCode.InvalidInput, `the password file is empty (${passwordSource(g, env)}): write the password into it`);
    return password;
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

/**
 * The repository's storage, with the metadata cache when `withCache` (and the environment
 * allows one); init creates the repository without one.
 */
export async function openCliStorage(g: GlobalOptions, env: NodeJS.ProcessEnv, { withCache }: { withCache: boolean }): Promise<OpenedStorage> {
  const location = repositoryLocation(g, env);
  const storage = await openStorage(location, {
    ...storageOptions(env),
    rclone: rcloneOptions(g.options ?? []),
    metadataCacheDir: withCache ? metadataCacheDir(env) : undefined,
  });
  openedStorages.add(storage);
  return storage;
}

/** What the command opened: closed when it ends, so that an rclone child exits cleanly. */
const openedStorages = new Set<OpenedStorage>();

/** How long closing may take before the command ends anyway (an exit hook still stops rclone). */
const CLOSE_TIMEOUT_MS = 15_000;

/** Closes every storage the command opened; a failure to close is only reported. */
export async function closeOpenedStorages(): Promise<void> {
  const closing = [...openedStorages].map((s) =>
    s.backend.close().catch((e: unknown) => process.stderr.write(`closing ${s.backend.location}: ${(e as Error).message}\n`)),
  );
  openedStorages.clear();
  const timeout = new AbortController();
  await Promise.race([Promise.all(closing), sleep(CLOSE_TIMEOUT_MS, undefined, { signal: timeout.signal }).catch(() => {})]);
  timeout.abort();
}

/** restic's `-o rclone.program=PATH` and `-o rclone.args=ARGS`; anything else is refused. */
export function rcloneOptions(options: readonly string[]): RcloneOptions {
  const out: { program?: string; args?: string[] } = {};
  for (const option of options) {
    const at = option.indexOf('=');
    const [name, value] = at < 0 ? [option, ''] : [option.slice(0, at), option.slice(at + 1)];
    if (name === 'rclone.program' && value !== '') out.program = value;
    else if (name === 'rclone.args' && value.trim() !== '') out.args = splitShellWords(value, `-o ${name}`);
    else {
      throw new ChunkvaultError(
        ErrorCode.InvalidInput,
        `-o ${option}: ${at < 0 || value.trim() === '' ? 'needs NAME=VALUE with a value' : 'unknown option'}; chunkvault takes -o rclone.program=PATH and -o rclone.args=ARGS`,
      );
    }
  }
  return out;
}

/**
 * Remote backend settings from the environment: CHUNKVAULT_CONCURRENCY (parallel
 * requests), CHUNKVAULT_CACERT or RESTIC_CACERT (a CA file for self-signed TLS), and the
 * credentials each backend reads from `env` (AWS_*, RESTIC_REST_USERNAME/PASSWORD).
 */
export function storageOptions(env: NodeJS.ProcessEnv): StorageOptions {
  const concurrency = env.CHUNKVAULT_CONCURRENCY;
  return {
    env,
    concurrency: concurrency ? parseConcurrency(concurrency, 'CHUNKVAULT_CONCURRENCY') : undefined,
    caFile: env.CHUNKVAULT_CACERT || env.RESTIC_CACERT || undefined,
    retry: { onRetry: (e) => process.stderr.write(`${describeRetry(e)}\n`) },
    onChange: storageFailpoint(env),
    onBackendLog: (line) => process.stderr.write(`${line}\n`),
  };
}

/**
 * Where a remote repository's index and snapshot files are cached: CHUNKVAULT_CACHE_DIR,
 * else $XDG_CACHE_HOME/chunkvault or ~/.cache/chunkvault. None with CHUNKVAULT_NO_CACHE
 * set (and openStorage uses none for a local repository, whose files are on this disk).
 */
export function metadataCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CHUNKVAULT_NO_CACHE) return undefined;
  if (env.CHUNKVAULT_CACHE_DIR) return path.resolve(env.CHUNKVAULT_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'chunkvault');
  return env.HOME ? path.join(env.HOME, '.cache', 'chunkvault') : undefined;
}

export async function openRepository(
  g: GlobalOptions,
  env: NodeJS.ProcessEnv,
  opts: { compression?: CompressionMode; signal?: AbortSignal } = {},
): Promise<Repository> {
  const { backend, metadataCache } = await openCliStorage(g, env, { withCache: true });
  const repo = await Repository.open(backend, await readPassword(g, env), opts).catch((e: unknown) => {
    throw withFlagHint(e, g, env);
  });
  // The cache is per repository id, known once the config is read. Without it the
  // command still works, downloading what it needs.
  await metadataCache?.attach(repo.id).catch((e: unknown) => {
    process.stderr.write(`metadata cache in ${metadataCache.baseDir} not used: ${(e as Error).message}\n`);
  });
  return repo;
}

/** A wrong password or a missing repository, with the flag or variable that named it (the exit code stays the error's). */
function withFlagHint(e: unknown, g: GlobalOptions, env: NodeJS.ProcessEnv): unknown {
  if (isChunkvaultError(e, ErrorCode.WrongPassword)) {
    return new ChunkvaultError(e.code, `${e.message}: check the password (${passwordSource(g, env)})`, { cause: e });
  }
  if (isChunkvaultError(e, ErrorCode.RepositoryNotFound)) {
    return new ChunkvaultError(e.code, `${e.message}: check ${repositorySource(g, env)}, or create a repository there with 'chunkvault init'`, { cause: e });
  }
  return e;
}
