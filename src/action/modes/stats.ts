/** Mode `stats`: restic's stats figures for one snapshot or all, in the log, the outputs and the job summary. */
import * as core from '@actions/core';
import { findSnapshot, formatCount, lockRefreshWarning, stats } from '../../engine/index.ts';
import { statsJson, statsLines } from '../../report/stats-report.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { StatsSettings } from '../settings.ts';
import { statsSummary } from '../summary/stats.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runStatsMode(settings: StatsSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  // One snapshot is resolved here, so that a wrong `snapshot` fails the step (restic only warns).
  const all = settings.snapshot === 'all';
  const refs = all ? [] : [(await findSnapshot(repo, settings.snapshot, settings.filter, { signal })).id];
  const result = await core.group(`Counting ${all ? 'all snapshots' : `snapshot ${refs[0]!.slice(0, 8)}`} in ${settings.statsMode} mode`, () =>
    stats(repo, {
      mode: settings.statsMode,
      snapshots: refs,
      filter: all ? settings.filter : {},
      lockWaitMs: settings.lockWaitMs,
      signal,
      onWarning: (message) => core.warning(message),
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(`[stats] ${formatCount(p.snapshotsDone)}/${formatCount(p.snapshotsTotal)} snapshots, ${formatCount(p.treesLoaded)} trees read`),
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    }),
  );
  for (const line of statsLines(result)) core.info(line);
  core.setOutput(Outputs.TotalSize, result.totalSize);
  core.setOutput(Outputs.TotalFileCount, result.totalFileCount);
  core.setOutput(Outputs.Stats, statsJson(result));
  await writeSummary(statsSummary(result, location));
  await finish();
}
