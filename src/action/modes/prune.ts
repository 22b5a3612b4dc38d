/** Mode `prune`: delete data no snapshot uses; the plan and the result in the log and the summary. */
import * as core from '@actions/core';
import { formatDuration, lockRefreshWarning, prune, type PruneResult } from '../../engine/index.ts';
import { pruneProgressLine, pruneReportLines } from '../../report/prune-report.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { PruneSettings, PruneTuning } from '../settings.ts';
import { pruneSummary } from '../summary/prune.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runPruneMode(settings: PruneSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const result = await core.group(`Pruning ${location}${settings.dryRun ? ' (dry run)' : ''}`, () =>
    prune(repo, { ...pruneOptions(settings.pruneTuning), dryRun: settings.dryRun, lockWaitMs: settings.lockWaitMs, signal }),
  );
  setPruneOutputs(result);
  await writeSummary(pruneSummary(result, location));
  await finish();
}

/** The prune options the action passes (forget's prune too), with progress in the log. */
export function pruneOptions(tuning: PruneTuning) {
  return {
    maxUnused: tuning.maxUnused,
    maxRepackSize: tuning.maxRepackSize,
    progressIntervalMs: PROGRESS_INTERVAL_MS,
    onProgress: (p: Parameters<typeof pruneProgressLine>[0]) => core.info(`[${formatDuration(p.elapsedMs)}] ${pruneProgressLine(p)}`),
    onLockRefreshError: (e: unknown) => core.warning(lockRefreshWarning(e)),
  };
}

export function setPruneOutputs(r: PruneResult): void {
  for (const line of pruneReportLines(r)) core.info(line);
  core.setOutput(Outputs.PacksDeleted, r.dryRun ? 0 : r.packsDeleted);
  core.setOutput(Outputs.PacksRepacked, r.dryRun ? 0 : r.packsRepacked);
  core.setOutput(Outputs.BytesFreed, r.dryRun ? 0 : r.bytesFreed);
}
