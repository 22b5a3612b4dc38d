/**
 * Opening the repository from the action's settings, with its location safe to log: the
 * backend (with retries), and for a remote repository the metadata cache kept between
 * runs with the Actions cache.
 */
import * as core from '@actions/core';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRemoteLocation, openBackend, parseLocation, redactLocation, type S3Credentials } from '../backends/location.ts';
import { describeRetry } from '../backends/decorators/retry.ts';
import { ErrorCode, errorMessage, isChunkvaultError, Repository, type CompressionMode } from '../engine/index.ts';
import { MetadataCacheSession } from './metadata-cache.ts';
import type { CommonSettings } from './settings.ts';

/**
 * Settings for remote repositories, from the inputs. All optional: absent ones take
 * their defaults (and CommonSettings gains them as the inputs are wired).
 */
export interface RemoteSettings {
  /** Parallel requests to a remote repository (input `concurrency`). @default 5 */
  concurrency?: number;
  /** A PEM file of CA certificates for a server with self-signed TLS (input `ca-file`), absolute. */
  caFile?: string;
  /** S3 credentials and addressing (inputs `aws-*`, `s3-path-style`); AWS_* variables fill the gaps. */
  s3?: S3Credentials;
  /** Keep a remote repository's index and snapshot files between runs (input `metadata-cache`). @default true */
  metadataCache?: boolean;
  /** The cache directory on the runner; the Actions cache stores `<dir>/<repo id>`. @default $RUNNER_TEMP/chunkvault-metadata-cache */
  metadataCacheDir?: string;
}

export interface OpenedRepository {
  repo: Repository;
  /** The location with any credentials removed. */
  location: string;
  /**
   * Call after the mode succeeded: saves the metadata cache for the next run (when one is
   * used) and closes the backend's connections. Never throws.
   */
  finish(): Promise<void>;
}

export async function openRepository(
  settings: CommonSettings & RemoteSettings,
  opts: { init?: boolean; compression?: CompressionMode; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<OpenedRepository> {
  const env = opts.env ?? process.env;
  maskLocationPassword(settings.repository, settings.workspace);
  const plain = openBackend(settings.repository, {
    baseDir: settings.workspace,
    env,
    concurrency: settings.concurrency,
    caFile: settings.caFile,
    s3: settings.s3,
    retry: { onRetry: (e) => core.info(describeRetry(e)) },
  });
  // A local repository is on this disk already: caching its files would only copy them.
  const cache =
    settings.metadataCache !== false && isRemoteLocation(settings.repository)
      ? new MetadataCacheSession(plain, settings.metadataCacheDir ?? path.join(env.RUNNER_TEMP || os.tmpdir(), 'chunkvault-metadata-cache'))
      : undefined;
  const backend = cache?.backend ?? plain;
  const location = redactLocation(backend.location);
  const repo = await core.group(`Opening repository ${location}`, async () => {
    try {
      const opened = await Repository.open(backend, settings.password, { compression: opts.compression, signal: opts.signal });
      core.info(`repository ${opened.id.slice(0, 10)} (format v${opened.version}) opened`);
      return opened;
    } catch (e) {
      if (!isChunkvaultError(e, ErrorCode.RepositoryNotFound) || !opts.init) throw e;
      core.info(`no repository at ${location}: creating one (init: true)`);
      const created = await Repository.init(backend, settings.password, { signal: opts.signal });
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
  return { repo, location, finish };
}

/** Masks a REST URL's password in the log, as written and percent-encoded (defence in depth: locations are shown redacted). */
export function maskLocationPassword(repository: string, workspace: string): void {
  try {
    const parsed = parseLocation(repository, workspace);
    if (parsed.kind !== 'rest' || !parsed.password) return;
    core.setSecret(parsed.password);
    if (encodeURIComponent(parsed.password) !== parsed.password) core.setSecret(encodeURIComponent(parsed.password));
  } catch {
    // An unusable location fails in openBackend with a proper message.
  }
}
