/** Mode `restore`: a snapshot into a target directory, every blob verified on the way. */
import * as core from '@actions/core';
import { formatBytes, formatCount, formatDuration, lockRefreshWarning, restore } from '../../engine/index.ts';
import { restoreProgressLine } from '../../report/restore-progress.ts';
import { Inputs, Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { RestoreSettings } from '../settings.ts';
import { restoreSummary } from '../summary/restore.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runRestoreMode(settings: RestoreSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const result = await core.group(`Restoring ${settings.snapshot} into ${settings.target}`, () =>
    restore(repo, {
      snapshot: settings.snapshot,
      filter: settings.filter,
      target: settings.target,
      include: settings.include,
      overwrite: settings.overwrite,
      targetNames: { target: `input '${Inputs.Target}'`, overwrite: `set '${Inputs.Overwrite}: true'` },
      signal,
      lockWaitMs: settings.lockWaitMs,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(restoreProgressLine(p)),
      onWarning: (m) => core.warning(m),
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    }),
  );
  core.info(
    `snapshot ${result.snapshotId.slice(0, 8)} restored: ${formatCount(result.filesRestored)} files, ` +
      `${formatBytes(result.bytesRestored)} in ${formatDuration(result.durationMs)}`,
  );
  core.setOutput(Outputs.SnapshotId, result.snapshotId);
  core.setOutput(Outputs.FilesRestored, result.filesRestored);
  core.setOutput(Outputs.BytesRestored, result.bytesRestored);
  core.setOutput(Outputs.DurationMs, result.durationMs);
  core.setOutput(Outputs.SnapshotReadErrors, result.snapshotReadErrors);
  await writeSummary(restoreSummary(result, location));
  await finish();
}
