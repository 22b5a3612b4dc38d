/**
 * Opening the repository from the action's settings, with its location safe to log: the
 * storage from openStorage (retries; for a remote repository the metadata cache, kept
 * between runs with the Actions cache).
 */
import * as core from '@actions/core';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeRetry } from '../backends/decorators/retry.ts';
import { openStorage } from '../backends/open-storage.ts';
import { redactLocation } from '../backends/repository-location.ts';
import { ChunkvaultError, contentCacheFile as contentCacheFileOf, ErrorCode, errorMessage, isChunkvaultError, Repository, type CompressionMode } from '../engine/index.ts';
import type { ActionInputName } from './action-inputs.ts';
import { Inputs } from './constants.ts';
import { MetadataCacheSession } from './metadata-cache.ts';
import type { CommonSettings } from './settings.ts';

export interface OpenedRepository {
  repo: Repository;
  /** The location with any credentials removed. */
  location: string;
  /**
   * Where backup keeps its content cache: beside the metadata cache (and saved with
   * it) for a remote repository, in the runner's user cache directory for a local one.
   * Undefined with metadata-cache: false.
   */
  contentCacheFile: string | undefined;
  /**
   * Call after the mode succeeded: saves the metadata cache for the next run (when one is
   * used) and closes the backend's connections. Never throws.
   */
  finish(): Promise<void>;
}

/** $XDG_CACHE_HOME/chunkvault or ~/.cache/chunkvault: what persists on a self-hosted runner. */
function userCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'chunkvault');
  const home = env.HOME || os.homedir();
  return home ? path.join(home, '.cache', 'chunkvault') : undefined;
}

export async function openRepository(
  settings: CommonSettings,
  opts: {
    init?: boolean;
    compression?: CompressionMode;
    signal?: AbortSignal;
    env?: NodeJS.ProcessEnv;
    chunkerPolynomial?: bigint;
    /** The input the location came from, for errors. @default 'repository' */
    locationInput?: ActionInputName;
  },
): Promise<OpenedRepository> {
  const env = opts.env ?? process.env;
  const storage = await openStorage(settings.repository, {
    env,
    concurrency: settings.concurrency,
    caFile: settings.caFile,
    s3: settings.s3,
    retry: { onRetry: (e) => core.info(describeRetry(e)) },
    // S3 keys the AWS SDK's chain fetched (instance role, profile) are masked as they arrive.
    onSecret: (secret) => core.setSecret(secret),
    onBackendLog: (line) => core.info(line),
    metadataCacheDir:
      settings.metadataCache === false ? undefined : (settings.metadataCacheDir ?? path.join(env.RUNNER_TEMP || os.tmpdir(), 'chunkvault-metadata-cache')),
  });
  const cache = storage.metadataCache ? new MetadataCacheSession(storage.metadataCache) : undefined;
  const backend = storage.backend;
  const location = redactLocation(backend.location);
  const repo = await core.group(`Opening repository ${location}`, async () => {
    try {
      const opened = await Repository.open(backend, settings.password, { compression: opts.compression, signal: opts.signal });
      core.info(`repository ${opened.id.slice(0, 10)} (format v${opened.version}) opened`);
      return opened;
    } catch (e) {
      if (!isChunkvaultError(e, ErrorCode.RepositoryNotFound)) throw e;
      if (!opts.init) throw notFoundError(e, opts.locationInput ?? Inputs.Repository, opts.init === false);
      core.info(`no repository at ${location}: creating one (init: true)`);
      const created = await Repository.init(backend, settings.password, { signal: opts.signal, chunkerPolynomial: opts.chunkerPolynomial });
      if (opts.compression) created.compression = opts.compression;
      core.info(`repository ${created.id.slice(0, 10)} created`);
      return created;
    }
  });
  // Opening read only the config and a key; the cache serves the index and snapshots next.
  await cache?.attach(repo.id);
  const finish = async () => {
    await cache?.save();
    await backend.close().catch((e: unknown) => core.debug(`closing the backend: ${errorMessage(e)}`));
  };
  const cacheBase = cache ? cache.backend.baseDir : userCacheDir(env);
  const contentCacheFile = settings.metadataCache === false || !cacheBase ? undefined : contentCacheFileOf(cacheBase, repo.id);
  return { repo, location, contentCacheFile, finish };
}

/** No repository where the input points: name the input, and `init` where the mode has it. */
function notFoundError(e: ChunkvaultError, input: ActionInputName, initIsOff: boolean): ChunkvaultError {
  const create = initIsOff ? `, or set '${Inputs.Init}: true' to create one` : '';
  return new ChunkvaultError(e.code, `input '${input}': ${e.message}: check it${create}`, { cause: e });
}
