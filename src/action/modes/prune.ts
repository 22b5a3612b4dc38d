/** Mode `prune`: delete data no snapshot uses; the plan and the result in the log and the summary. */
import * as core from '@actions/core';
import { formatBytes, formatCount, formatDuration, lockRefreshWarning, prune, type PruneResult } from '../../engine/index.ts';
import { pruneProgressLine, pruneReportLines } from '../../report/prune-report.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { PruneSettings, PruneTuning } from '../settings.ts';
import { escapeHtml } from '../summary-html.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runPruneMode(settings: PruneSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const result = await core.group(`Pruning ${location}${settings.dryRun ? ' (dry run)' : ''}`, () =>
    prune(repo, { ...pruneOptions(settings.pruneTuning), dryRun: settings.dryRun, lockWaitMs: settings.lockWaitMs, signal }),
  );
  setPruneOutputs(result);
  await addPruneSummary(core.summary.addHeading(`chunkvault: ${result.dryRun ? 'prune plan (dry run)' : 'prune done'}`, 2), result, location).write();
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

/** The plan and what was done, as a table. */
export function addPruneSummary(summary: typeof core.summary, r: PruneResult, location: string): typeof core.summary {
  const s = r.stats;
  const total = s.used.bytes + s.duplicate.bytes + s.unused.bytes + s.unreferencedBytes;
  const unusedAfter = s.duplicate.bytes + s.unused.bytes - s.remove.bytes - s.repackRemove.bytes;
  const rows: string[][] = [
    ['Repository', `<code>${escapeHtml(location)}</code>`],
    ['Snapshots', formatCount(r.snapshots)],
    ['In use', `${formatBytes(s.used.bytes)} (${formatCount(s.used.blobs)} blobs)`],
    ['Unused before', `${formatBytes(s.unused.bytes + s.duplicate.bytes + s.unreferencedBytes)} of ${formatBytes(total)}`],
    ['Packs deleted', `${formatCount(s.packs.remove + s.packs.unreferenced + s.packs.repack)} (${formatCount(s.packs.repack)} of them after repacking)${r.dryRun ? ' (planned)' : ''}`],
    ['Packs repacked', `${formatCount(s.packs.repack)} (${formatBytes(s.repack.bytes)}, of which ${formatBytes(s.repackRemove.bytes)} unused)${r.dryRun ? ' (planned)' : ''}`],
    ['Packs kept', formatCount(s.packs.keep)],
    ['Unused after', formatBytes(unusedAfter)],
    [r.dryRun ? 'Would free' : 'Freed', formatBytes(r.bytesFreed)],
  ];
  if (!r.dryRun) rows.push(['Duration', formatDuration(r.durationMs)]);
  return summary.addTable([[{ data: 'Prune', header: true }, { data: '', header: true }], ...rows]);
}
