/** Mode `check`: the repository's structure and, with read-data-subset, its data. */
import * as core from '@actions/core';
import { check, describeSelection, formatBytes, formatCount, formatDuration, lockRefreshWarning } from '../../engine/index.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { CheckSettings } from '../settings.ts';
import { checkSummary, findingLine } from '../summary/check.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runCheckMode(settings: CheckSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const what = settings.readData ? `reading ${describeSelection(settings.readData)}` : 'structure only (set read-data-subset to read pack data)';
  const report = await core.group(`Checking the repository: ${what}`, () =>
    check(repo, {
      readData: settings.readData,
      signal,
      lockWaitMs: settings.lockWaitMs,
      onWarning: (message) => core.warning(message),
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(`[${formatDuration(p.elapsedMs)}] ${p.phase}: ${formatCount(p.packsRead)} packs, ${formatBytes(p.bytesRead)} read`),
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    }),
  );
  for (const f of report.errors) core.error(findingLine(f));
  for (const f of report.hints) core.notice(findingLine(f));
  core.setOutput(Outputs.Errors, report.errors.length);
  core.setOutput(Outputs.PacksRead, report.packsRead);
  core.setOutput(Outputs.BytesRead, report.bytesRead);
  await writeSummary(checkSummary(report, location, what));
  if (report.errors.length > 0) core.setFailed(`the repository check found ${report.errors.length} error(s); the first: ${report.errors[0]!.message}`);
  else core.info(`no errors found (${report.snapshotsChecked} snapshots, ${report.packsChecked} packs, ${report.packsRead} read)`);
  await finish();
}
