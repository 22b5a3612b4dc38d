/** Mode `forget`: the retention policy's decisions, each snapshot with the rule that kept it; optionally a prune. */
import * as core from '@actions/core';
import { describeGroupKey, describePolicy, forget, lockRefreshWarning, type ForgetResult } from '../../engine/index.ts';
import { forgetReportLines, groupDecisions } from '../../report/forget-report.ts';
import { snapshotTimeText } from '../../report/snapshot-time.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { ForgetSettings } from '../settings.ts';
import { code, escapeHtml } from '../summary-html.ts';
import { addPruneSummary, pruneOptions, setPruneOutputs } from './prune.ts';

/** Snapshot rows in the summary; the outputs list every id. */
const MAX_ROWS = 200;

export async function runForgetMode(settings: ForgetSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const title = settings.ids.length > 0 ? `Removing snapshots ${settings.ids.join(' ')}` : `Applying the retention policy: ${describePolicy(settings.policy)}`;
  const result = await core.group(`${title}${settings.dryRun ? ' (dry run)' : ''}`, async () => {
    const r = await forget(repo, {
      policy: settings.policy,
      ids: settings.ids,
      onWarning: (w) => core.warning(w),
      groupBy: settings.groupBy,
      filter: settings.filter,
      dryRun: settings.dryRun,
      prune: settings.prune ? pruneOptions(settings.pruneTuning) : undefined,
      lockWaitMs: settings.lockWaitMs,
      signal,
      // restic computes keep-within cut-offs in the local zone (UTC on hosted runners).
      localTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    });
    for (const line of forgetReportLines(r)) core.info(line);
    return r;
  });
  core.setOutput(Outputs.RemovedSnapshots, JSON.stringify(result.removed));
  core.setOutput(Outputs.KeptSnapshots, JSON.stringify(result.kept));
  core.setOutput(Outputs.RemovedCount, result.removed.length);
  if (result.prune) setPruneOutputs(result.prune);
  const summary = forgetSummary(result);
  if (result.prune) addPruneSummary(summary.addHeading('Prune', 3), result.prune, location);
  await summary.write();
  await finish();
}

function forgetSummary(r: ForgetResult): typeof core.summary {
  const verb = r.dryRun ? 'would remove' : 'removed';
  if (r.byId) {
    return core.summary.addHeading(`chunkvault: forget${r.dryRun ? ' (dry run)' : ''}: ${r.removed.length} named snapshot(s) ${verb}`, 2).addTable([
      ['Snapshot', 'Time', 'Host', 'Paths', 'Decision'].map((h) => ({ data: h, header: true })),
      ...(r.named ?? []).map((e) => [
        code(e.id.slice(0, 8)),
        escapeHtml(snapshotTimeText(e.snapshot.time)),
        escapeHtml(e.snapshot.hostname ?? ''),
        e.snapshot.paths.map(escapeHtml).join('<br>'),
        `🗑️ ${verb}`,
      ]),
    ]);
  }
  const summary = core.summary
    .addHeading(`chunkvault: forget${r.dryRun ? ' (dry run)' : ''}: ${r.kept.length} kept, ${r.removed.length} ${verb}`, 2)
    .addRaw(`<p>Policy: ${escapeHtml(describePolicy(r.plan.policy))}${r.untouched > 0 ? `; ${r.untouched} snapshot(s) outside the host/tags/path filter left alone` : ''}.</p>`, true);
  let shown = 0;
  for (const g of r.plan.groups) {
    const rows = groupDecisions(g);
    const visible = rows.slice(0, Math.max(0, MAX_ROWS - shown));
    shown += visible.length;
    summary.addHeading(escapeHtml(describeGroupKey(g.key) || 'all snapshots'), 3).addTable([
      ['Snapshot', 'Time', 'Tags', 'Decision'].map((h) => ({ data: h, header: true })),
      ...visible.map((d) => [
        code(d.id.slice(0, 8)),
        escapeHtml(d.time),
        escapeHtml(d.tags),
        d.decision === 'keep' ? `✅ kept: ${escapeHtml(d.reasons.join(', '))}` : `🗑️ ${verb}`,
      ]),
    ]);
    if (visible.length < rows.length) summary.addRaw(`<p>${rows.length - visible.length} more in this group: see the log and the outputs.</p>`, true);
  }
  return summary;
}
