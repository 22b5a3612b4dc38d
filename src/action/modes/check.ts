/** Mode `check`: the repository's structure and, with read-data-subset, its data. */
import * as core from '@actions/core';
import { check, describeSelection, formatBytes, formatCount, formatDuration, lockRefreshWarning, type CheckReport, type Finding } from '../../engine/index.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { CheckSettings } from '../settings.ts';
import { code, escapeHtml } from '../summary-html.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

/** Findings listed in the summary; the log has them all. */
const MAX_FINDINGS_SHOWN = 50;

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
  await writeCheckSummary(report, location, what);
  if (report.errors.length > 0) core.setFailed(`the repository check found ${report.errors.length} error(s); the first: ${report.errors[0]!.message}`);
  else core.info(`no errors found (${report.snapshotsChecked} snapshots, ${report.packsChecked} packs, ${report.packsRead} read)`);
  await finish();
}

function findingLine(f: Finding): string {
  const files = f.paths?.length ? ` Affects: ${f.paths.slice(0, 10).join(', ')}${f.paths.length > 10 ? ', ...' : ''}` : '';
  return `${f.message}${files}`;
}

async function writeCheckSummary(r: CheckReport, location: string, what: string): Promise<void> {
  const title = r.errors.length === 0 ? '✅ Repository check passed' : `❌ Repository check found ${r.errors.length} error(s)`;
  const summary = core.summary.addHeading(`chunkvault: ${title}`, 2).addTable([
    [
      { data: 'What', header: true },
      { data: 'Figure', header: true },
    ],
    ['Repository', code(location)],
    ['Data read', escapeHtml(what)],
    ['Snapshots checked', formatCount(r.snapshotsChecked)],
    ['Trees checked', formatCount(r.treesChecked)],
    ['Packs checked', formatCount(r.packsChecked)],
    ['Packs read', `${formatCount(r.packsRead)} (${formatBytes(r.bytesRead)})`],
    ['Errors', formatCount(r.errors.length)],
    ['Hints', formatCount(r.hints.length)],
    ['Duration', formatDuration(r.durationMs)],
  ]);
  const findings = [...r.errors, ...r.hints];
  if (findings.length > 0) {
    summary.addHeading('Findings', 3).addList(findings.slice(0, MAX_FINDINGS_SHOWN).map((f) => `${f.severity === 'error' ? '❌' : 'ℹ️'} ${escapeHtml(findingLine(f))}`));
  }
  await summary.write();
}
