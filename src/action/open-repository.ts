/** Opening the repository from the action's settings, with its location safe to log. */
import * as core from '@actions/core';
import { openBackend, redactLocation } from '../backends/location.ts';
import type { CompressionMode } from '../engine/compress/zstd.ts';
import { ErrorCode, isChunkvaultError } from '../engine/errors.ts';
import { Repository } from '../engine/repository/repository.ts';
import type { CommonSettings } from './settings.ts';

export interface OpenedRepository {
  repo: Repository;
  /** The location with any credentials removed. */
  location: string;
}

export async function openRepository(
  settings: CommonSettings,
  opts: { init?: boolean; compression?: CompressionMode; signal?: AbortSignal },
): Promise<OpenedRepository> {
  const backend = openBackend(settings.repository, { baseDir: settings.workspace });
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
  return { repo, location };
}
