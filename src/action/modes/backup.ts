/** Mode `backup`: sources in, a snapshot out, with outputs and a job summary. */
import * as core from '@actions/core';
import { backup, ChunkvaultError, ErrorCode, errorMessage, formatBytes, formatCount, formatDuration, isDumpError, lockRefreshWarning, type BackupResult, type Repository, type SnapshotEntry } from '../../engine/index.ts';
import { shellDumpSource } from '../../process/dump-command.ts';
import { commandEnvironment } from '../../process/run-shell.ts';
import { backupProgressLine } from '../../report/backup-progress.ts';
import { compressionText, dedupText } from '../../report/figures.ts';
import { Inputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import { setBackupOutputs } from '../report.ts';
import { backupSummary, dumpFailureSummary } from '../summary/backup.ts';
import { writeSummary } from '../summary/write.ts';
import type { BackupSettings } from '../settings.ts';
import { expandSources } from '../sources.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runBackupMode(settings: BackupSettings, signal: AbortSignal): Promise<void> {
  // The sources first: a mistyped one must not cost a lock, nor create a repository (init: true).
  const { targets, unmatched } = await expandSources(settings.sources, settings.workspace);
  for (const line of unmatched) core.warning(`source '${line}' matched nothing`);
  if (targets.length === 0 && !settings.dump) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `input '${Inputs.Source}': ${settings.sources.map((s) => `'${s}'`).join(', ')} matched nothing (relative paths start at ${settings.workspace})`);
  }
  const { repo, location, contentCacheFile, finish } = await openRepository(settings, { init: settings.init, compression: settings.compression, signal });
  // The dump command sees the step's environment (PGPASSWORD ...) but not the repository
  // password or the action's tokens; its standard error goes to the log.
  const dump = settings.dump
    ? shellDumpSource(settings.dump.command, {
        filename: settings.dump.filename,
        allowEmpty: settings.dump.allowEmpty,
        env: commandEnvironment(process.env, {}),
        cwd: settings.workspace,
        onStderrLine: (line) => core.info(`  dump | ${line}`),
      })
    : undefined;
  const what = [...(dump ? [`the dump /${dump.filename}`] : []), ...(targets.length ? [`${formatCount(targets.length)} path(s)`] : [])].join(' and ');

  const result = await core.group(`Backing up ${what} as host ${settings.host}`, () =>
    backup(repo, {
      contentCacheFile,
      targets,
      dump,
      excludes: settings.excludes,
      baseDir: settings.workspace,
      hostname: settings.host,
      tags: settings.tags,
      description: settings.description,
      parent: settings.parent,
      lockWaitMs: settings.lockWaitMs,
      onWarning: (message) => core.warning(message),
      signal,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(backupProgressLine(p)),
      onSourceError: (e) => core.warning(`not backed up: ${e.path}: ${e.message}`),
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    }),
  ).catch(async (e: unknown) => {
    if (isDumpError(e)) {
      await writeSummary(dumpFailureSummary(settings.dump?.command ?? '', e), { failure: true });
      if (e.failure === 'empty') core.info(`an empty dump is accepted with the input ${Inputs.AllowEmptyDump}: true`);
    }
    throw e;
  });

  const s = result.stats;
  const errorCount = result.errors.length + unmatched.length;
  if (s.bytesVerified > 0) core.info(`${formatBytes(s.bytesVerified)} matched blobs already stored, checked by hash instead of chunked`);
  if (result.contentCache?.saveError) core.warning(`content cache not saved (the next backup may chunk moved files again): ${result.contentCache.saveError}`);
  if (result.dump) core.info(`dump ${result.dump.path}: ${formatBytes(result.dump.bytes)}`);
  core.info(
    `snapshot ${result.snapshotId.slice(0, 8)} saved: ${formatCount(s.filesNew + s.filesChanged + s.filesUnmodified)} files, ` +
      `${formatBytes(s.bytesProcessed)} processed, ${formatBytes(s.dataAdded)} new, ${formatBytes(s.bytesAdded)} added ` +
      `(dedup ${dedupText(s)}, compression ${compressionText(s)}) in ${formatDuration(s.durationMs)}`,
  );
  setBackupOutputs(result, errorCount);
  await writeSummary(
    backupSummary({
      result,
      host: settings.host,
      location,
      tags: settings.tags,
      dumpCommand: settings.dump?.command,
      errors: [...unmatched.map((l) => `source '${l}' matched nothing`), ...result.errors.map((e) => `${e.path}: ${e.message}`)],
      history: await sameSourceHistory(repo, result.snapshot, signal),
    }),
  );
  if (errorCount > 0) {
    const message = `${errorCount} source error(s): the snapshot ${result.snapshotId.slice(0, 8)} was written without them`;
    if (settings.failOnError) core.setFailed(`${message} (set fail-on-error: false to accept partial backups)`);
    else core.warning(message);
  }
  await finish();
}

/** The snapshots of this host and these paths, oldest first, for the summary's chart; none when they cannot be listed. */
async function sameSourceHistory(repo: Repository, snapshot: BackupResult['snapshot'], signal: AbortSignal): Promise<SnapshotEntry[]> {
  const paths = [...snapshot.paths].sort().join('\n');
  try {
    const all = await repo.listSnapshots({ signal });
    return all
      .filter((e) => e.snapshot.hostname === snapshot.hostname && [...e.snapshot.paths].sort().join('\n') === paths)
      .sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : 0));
  } catch (e) {
    core.warning(`the summary's history chart is left out: listing snapshots failed: ${errorMessage(e)}`);
    return [];
  }
}
