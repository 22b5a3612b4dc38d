/** Mode `diff`: what changed from one snapshot to another (restic diff), in the log, the outputs and the job summary. */
import * as core from '@actions/core';
import {
  diff,
  findSnapshot,
  formatCount,
  invalidInput,
  listSnapshots,
  lockRefreshWarning,
  shortId,
  type DiffChange,
  type Repository,
  type SnapshotEntry,
} from '../../engine/index.ts';
import { diffChangeLine, diffStatisticsJson, diffStatisticsLines } from '../../report/diff-report.ts';
import { Inputs, Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { DiffSettings } from '../settings.ts';
import { diffSummary } from '../summary/diff.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

/** Changes listed in the summary; the log has all of them. */
const MAX_ROWS = 200;

export async function runDiffMode(settings: DiffSettings, signal: AbortSignal): Promise<void> {
  const { repo, finish } = await openRepository(settings, { signal });
  const target = await findSnapshot(repo, settings.snapshot, settings.filter, { signal });
  const base = await baseSnapshot(repo, settings, target, signal);
  const shown: DiffChange[] = [];
  const result = await core.group(`Comparing snapshot ${shortId(base.id)} to ${shortId(target.id)}`, () =>
    diff(repo, base.id, target.id, {
      metadata: settings.metadata,
      lockWaitMs: settings.lockWaitMs,
      signal,
      onChange: (c) => {
        core.info(diffChangeLine(c));
        if (shown.length < MAX_ROWS) shown.push(c);
      },
      onWarning: (message) => core.warning(message),
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(`[diff] ${formatCount(p.treesLoaded)} trees read, ${formatCount(p.changes)} changes`),
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    }),
  );
  for (const line of diffStatisticsLines(result)) core.info(line);
  core.setOutput(Outputs.FilesAdded, result.added.files);
  core.setOutput(Outputs.FilesRemoved, result.removed.files);
  core.setOutput(Outputs.FilesChanged, result.changedFiles);
  core.setOutput(Outputs.DiffStatistics, diffStatisticsJson(result, base.id, target.id));
  await writeSummary(diffSummary(result, shown));
  await finish();
}

/**
 * The input, else what this snapshot was backed up from (its parent), else the newest
 * older snapshot that passes the filters: "what did the last backup change".
 */
async function baseSnapshot(repo: Repository, settings: DiffSettings, target: SnapshotEntry, signal: AbortSignal): Promise<SnapshotEntry> {
  if (settings.baseSnapshot) return findSnapshot(repo, settings.baseSnapshot, settings.filter, { signal });
  const parent = target.snapshot.parent;
  if (parent) {
    const found = (await repo.listSnapshots({ signal })).find((s) => s.id === parent);
    if (found) return found;
  }
  const older = (await listSnapshots(repo, settings.filter, { signal })).filter((s) => s.snapshot.time < target.snapshot.time);
  const newestOlder = older[older.length - 1];
  if (!newestOlder) {
    throw invalidInput(`snapshot ${shortId(target.id)} has no parent and no older snapshot passes host, tags and path: set input '${Inputs.BaseSnapshot}'`);
  }
  return newestOlder;
}
