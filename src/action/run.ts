/**
 * The action: read the settings, run the mode, report. The one place that turns errors
 * into a failed step.
 */
import * as core from '@actions/core';
import { openBackend, redactLocation } from '../backends/location.ts';
import { backup, type BackupProgress } from '../engine/commands/backup.ts';
import { ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError } from '../engine/errors.ts';
import { Repository } from '../engine/repository/repository.ts';
import { installSignalHandlers } from '../runtime/signals.ts';
import { backupProgressLine } from '../ui/backup-progress.ts';
import { formatBytes, formatCount, formatDuration, formatRate, formatRatio } from '../engine/human.ts';
import { getSettings } from './inputs.ts';
import { setBackupOutputs, writeBackupSummary } from './report.ts';
import type { BackupSettings } from './settings.ts';
import { expandSources } from './sources.ts';

/** Progress lines in the log: often enough to see movement, rare enough to read. */
const PROGRESS_INTERVAL_MS = 10_000;

export async function run(): Promise<void> {
  const signals = installSignalHandlers((sig, count) =>
    core.warning(count === 1 ? `${sig} received: stopping, removing the repository lock` : `${sig} received again: still cleaning up`),
  );
  try {
    const settings = getSettings();
    await runBackup(settings, signals.signal);
  } catch (e) {
    core.setFailed(failureMessage(e));
  } finally {
    signals.dispose();
  }
}

async function runBackup(settings: BackupSettings, signal: AbortSignal): Promise<void> {
  const backend = openBackend(settings.repository, { baseDir: settings.workspace });
  const location = redactLocation(backend.location);
  const repo = await core.group(`Opening repository ${location}`, async () => {
    try {
      const opened = await Repository.open(backend, settings.password, { compression: settings.compression, signal });
      core.info(`repository ${opened.id.slice(0, 10)} (format v${opened.version}) opened`);
      return opened;
    } catch (e) {
      if (!isChunkvaultError(e, ErrorCode.RepositoryNotFound) || !settings.init) throw e;
      core.info(`no repository at ${location}: creating one (init: true)`);
      const created = await Repository.init(backend, settings.password, { signal });
      created.compression = settings.compression;
      core.info(`repository ${created.id.slice(0, 10)} created`);
      return created;
    }
  });

  const { targets, unmatched } = await expandSources(settings.sources, settings.workspace);
  for (const line of unmatched) core.warning(`source '${line}' matched nothing`);
  if (targets.length === 0) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `no source matched anything: ${settings.sources.join(', ')} (relative paths start at ${settings.workspace})`);
  }

  const result = await core.group(`Backing up ${formatCount(targets.length)} path(s) as host ${settings.host}`, () =>
    backup(repo, {
      targets,
      excludes: settings.excludes,
      baseDir: settings.workspace,
      hostname: settings.host,
      tags: settings.tags,
      signal,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(backupProgressLine(p)),
      onSourceError: (e) => core.warning(`not backed up: ${e.path}: ${e.message}`),
      onLockRefreshError: (e) => core.warning(`could not refresh the repository lock: ${errorMessage(e)}`),
    }),
  );

  const s = result.stats;
  const errorCount = result.errors.length + unmatched.length;
  core.info(
    `snapshot ${result.snapshotId.slice(0, 8)} saved: ${formatCount(s.filesNew + s.filesChanged + s.filesUnmodified)} files, ` +
      `${formatBytes(s.bytesProcessed)} processed, ${formatBytes(s.bytesAdded)} added in ${formatDuration(s.durationMs)}`,
  );
  setBackupOutputs(result, errorCount);
  await writeBackupSummary(settings, location, result, unmatched.map((l) => `source '${l}' matched nothing`));
  if (errorCount > 0) {
    const message = `${errorCount} source error(s): the snapshot ${result.snapshotId.slice(0, 8)} was written without them`;
    if (settings.failOnError) core.setFailed(`${message} (set fail-on-error: false to accept partial backups)`);
    else core.warning(message);
  }
}

function failureMessage(e: unknown): string {
  if (isChunkvaultError(e, ErrorCode.WrongPassword)) return `${e.message}. Check the password input (the secret it comes from).`;
  return errorMessage(e);
}
