/**
 * Mode `drill`: the scheduled recovery drill. The step fails when any drill step fails,
 * and the job summary shows the checklist with each step's result and figures.
 */
import * as core from '@actions/core';
import { drill, formatDuration, type DrillReport } from '../../engine/index.ts';
import { commandEnvironment, runShell } from '../../process/run-shell.ts';
import { restoreProgressLine } from '../../report/restore-progress.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { DrillSettings } from '../settings.ts';
import { appendDrillRecord, drillHistoryFile, type DrillRecord } from '../drill-history.ts';
import { DRILL_STATUS_ICON, drillSummary } from '../summary/drill.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runDrillMode(settings: DrillSettings, signal: AbortSignal): Promise<void> {
  // Recovery starts with opening the repository: key derivation is part of the RTO.
  const startedAt = Date.now();
  // Whatever happens below, a workflow testing drill-status sees 'failed' unless it passed.
  core.setOutput(Outputs.DrillStatus, 'failed');
  const { repo, location, contentCacheFile, finish } = await openRepository(settings, { signal });
  const command = settings.drillCommand;
  const report = await core.group('Restore drill', () =>
    drill(repo, {
      startedAt,
      snapshot: settings.snapshot,
      filter: settings.filter,
      include: settings.include,
      maxSnapshotAgeMs: settings.maxSnapshotAgeMs,
      maxRtoMs: settings.maxRtoMs,
      scratchParent: settings.scratchParent,
      keepRestore: settings.keepRestore,
      commandLabel: command,
      runCommand: command
        ? (dir, sig) =>
            runShell(command, {
              env: commandEnvironment(process.env, { CHUNKVAULT_RESTORE_DIR: dir }),
              cwd: settings.workspace,
              signal: sig,
              onLine: (line) => core.info(`  | ${line}`),
            })
        : undefined,
      signal,
      lockWaitMs: settings.lockWaitMs,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(restoreProgressLine(p)),
      onStep: (s) => core.info(`${DRILL_STATUS_ICON[s.status]} ${s.title}: ${s.detail}`),
      onWarning: (m) => core.warning(m),
    }),
  );
  setDrillOutputs(report);
  await writeSummary(drillSummary(report, location, await recordDrill(contentCacheFile, report, startedAt)), { failure: report.status === 'failed' });
  // A stale snapshot still gets its recovery measured: the failure says what that took.
  const measured = report.rtoMs === undefined ? '' : ` (recovery itself took ${formatDuration(report.rtoMs)})`;
  if (report.status === 'failed') core.setFailed(`restore drill failed at '${report.failedStep!.title}': ${report.failedStep!.detail}${measured}`);
  else core.info(`restore drill passed: RTO ${formatDuration(report.rtoMs ?? 0)}`);
  await finish();
}

function setDrillOutputs(r: DrillReport): void {
  core.setOutput(Outputs.DrillStatus, r.status);
  core.setOutput(Outputs.RtoSeconds, r.rtoMs === undefined ? '' : (r.rtoMs / 1000).toFixed(3));
  core.setOutput(Outputs.FilesVerified, r.filesVerified);
  core.setOutput(Outputs.BytesVerified, r.bytesVerified);
  core.setOutput(Outputs.SnapshotId, r.snapshotId ?? '');
  core.setOutput(Outputs.SnapshotAgeSeconds, r.snapshotAgeMs === undefined ? '' : Math.round(r.snapshotAgeMs / 1000));
  core.setOutput(Outputs.SnapshotReadErrors, r.snapshotReadErrors ?? '');
  core.setOutput(Outputs.RestoreDir, r.keptAt ?? '');
}

/** This drill added to the history beside the cache; the history for the charts (only this one when there is no cache). */
async function recordDrill(contentCacheFile: string | undefined, r: DrillReport, startedAt: number): Promise<DrillRecord[]> {
  const record: DrillRecord = { timeMs: startedAt, status: r.status, rtoMs: r.rtoMs, snapshotAgeMs: r.snapshotAgeMs };
  const file = drillHistoryFile(contentCacheFile);
  if (!file) return [record];
  const { history, warning } = await appendDrillRecord(file, record);
  if (warning) core.warning(warning);
  return history;
}
