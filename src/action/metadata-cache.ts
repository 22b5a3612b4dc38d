/**
 * Keeps a remote repository's index and snapshot files between workflow runs with the
 * Actions cache, so that an ephemeral runner does not download them all again each run.
 *
 * Keys. The repository id is what identifies the cache, and it is known only once the
 * config has been read; opening needs none of the cached files (config and keys are not
 * cached), so the cache is restored right after opening and before the index is loaded:
 *
 * - restore: the newest entry whose key starts with `chunkvault-meta-<repo id>-`;
 * - save, after a successful run: `chunkvault-meta-<repo id>-<hash>`, where `<hash>` is
 *   a SHA-256 over the sorted names of the cached files. The files are immutable and named
 *   by their content, so equal names mean equal content: a run that changed nothing
 *   finds its key already there and skips the upload, and each run that adds a snapshot
 *   (or prunes) saves a new entry, which the next run restores by the prefix. Old entries
 *   age out under the Actions cache's own eviction.
 */
import * as core from '@actions/core';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { MetadataCacheBackend } from '../backends/decorators/metadata-cache.ts';
import { errorMessage } from '../engine/index.ts';

export const METADATA_CACHE_KEY_PREFIX = 'chunkvault-meta-';

/** The part of @actions/cache used here; tests pass their own. */
export interface CacheService {
  isFeatureAvailable(): boolean | Promise<boolean>;
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/**
 * @actions/cache, loaded when a run uses it: it brings a storage SDK that costs every
 * run of the action most of its start-up time, and a local repository has no use for it.
 */
const loadActionsCache = () => import('@actions/cache');

export const ACTIONS_CACHE: CacheService = {
  isFeatureAvailable: async () => (await loadActionsCache()).isFeatureAvailable(),
  restoreCache: async (paths, primaryKey, restoreKeys) => (await loadActionsCache()).restoreCache(paths, primaryKey, restoreKeys),
  saveCache: async (paths, key) => (await loadActionsCache()).saveCache(paths, key),
};

export function metadataCacheKeyPrefix(repositoryId: string): string {
  return `${METADATA_CACHE_KEY_PREFIX}${repositoryId}-`;
}

/** The key for the cache's present content: the prefix and a hash of the cached file names. */
export async function metadataCacheKey(backend: MetadataCacheBackend, repositoryId: string): Promise<string> {
  const hash = createHash('sha256');
  for (const type of ['index', 'snapshot'] as const) {
    for (const name of await backend.cachedNames(type)) hash.update(`${type}/${name}\n`);
  }
  return `${metadataCacheKeyPrefix(repositoryId)}${hash.digest('hex').slice(0, 16)}`;
}

/**
 * A metadata cache for one run, around the cache layer openStorage stacked: `attach`
 * restores the cached files and starts using them once the id is known, and `save` keeps
 * them for the next run after the work succeeded.
 */
export class MetadataCacheSession {
  readonly backend: MetadataCacheBackend;
  readonly #baseDir: string;
  readonly #service: CacheService;
  #repositoryId: string | undefined;
  #restoredKey: string | undefined;

  constructor(backend: MetadataCacheBackend, service: CacheService = ACTIONS_CACHE) {
    this.backend = backend;
    this.#baseDir = backend.baseDir;
    this.#service = service;
  }

  /** What the Actions cache archives: this repository's directory in the cache. */
  #paths(repositoryId: string): string[] {
    return [path.join(this.#baseDir, repositoryId)];
  }

  /** Restores the files kept by an earlier run (when the Actions cache is there), then caches from now on. */
  async attach(repositoryId: string): Promise<void> {
    this.#repositoryId = repositoryId;
    const prefix = metadataCacheKeyPrefix(repositoryId);
    if (await this.#service.isFeatureAvailable()) {
      try {
        this.#restoredKey = await this.#service.restoreCache(this.#paths(repositoryId), prefix, [prefix]);
      } catch (e) {
        core.warning(`metadata cache: restoring failed, index and snapshot files will be downloaded: ${errorMessage(e)}`);
      }
    } else {
      core.debug('metadata cache: the Actions cache service is not available here; using the local cache directory only');
    }
    try {
      await this.backend.attach(repositoryId);
      const index = (await this.backend.cachedNames('index')).length;
      const snapshots = (await this.backend.cachedNames('snapshot')).length;
      core.info(
        this.#restoredKey
          ? `metadata cache: restored ${index} index and ${snapshots} snapshot file(s) (key ${this.#restoredKey})`
          : `metadata cache: ${index} index and ${snapshots} snapshot file(s) cached on this runner`,
      );
    } catch (e) {
      core.warning(`metadata cache: ${this.#baseDir} cannot be used, files will be downloaded: ${errorMessage(e)}`);
    }
  }

  /** Saves the cache under a key for its content, unless that content was what was restored. Never throws. */
  async save(): Promise<void> {
    const repositoryId = this.#repositoryId;
    if (!repositoryId || !this.backend.directory) return;
    const { hits, misses, evicted } = this.backend.stats;
    core.info(`metadata cache: ${hits} file(s) read from the cache, ${misses} downloaded, ${evicted} dropped`);
    if (!(await this.#service.isFeatureAvailable())) return;
    try {
      const key = await metadataCacheKey(this.backend, repositoryId);
      if (key === this.#restoredKey) {
        core.info(`metadata cache: unchanged (key ${key}), not saved again`);
        return;
      }
      await this.#service.saveCache(this.#paths(repositoryId), key);
      core.info(`metadata cache: saved as ${key}`);
    } catch (e) {
      // Another job saving the same key first is normal; anything else only costs downloads.
      // (@actions/cache's ReserveCacheError, known by its name: the module is loaded lazily.)
      if ((e as Error)?.name === 'ReserveCacheError') core.info(`metadata cache: ${errorMessage(e)}`);
      else core.warning(`metadata cache: saving failed: ${errorMessage(e)}`);
    }
  }
}
