/** The forget summary: the policy, each group's decisions with the rule that kept each snapshot, and the prune after it. */
import { describeGroupKey, describePolicy, type ForgetResult } from '../../engine/index.ts';
import { groupDecisions } from '../../report/forget-report.ts';
import { snapshotTimeText } from '../../report/snapshot-time.ts';
import { code, lines, SummaryDocument } from './document.ts';
import { addPruneSummary } from './prune.ts';

/** Snapshot rows in the summary; the outputs list every id. */
const MAX_ROWS = 200;

export function forgetSummary(r: ForgetResult, location: string): SummaryDocument {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const dry = r.dryRun ? ' (dry run)' : '';
  const doc = new SummaryDocument();
  if (r.byId) {
    doc.heading(`chunkvault: forget${dry}: ${r.removed.length} named snapshot(s) ${verb}`).table(
      ['Snapshot', 'Time', 'Host', 'Paths', 'Decision'],
      (r.named ?? []).map((e) => [code(e.id.slice(0, 8)), snapshotTimeText(e.snapshot.time), e.snapshot.hostname ?? '', lines(e.snapshot.paths), `🗑️ ${verb}`]),
    );
  } else {
    doc
      .heading(`chunkvault: forget${dry}: ${r.kept.length} kept, ${r.removed.length} ${verb}`)
      .paragraph(`Policy: ${describePolicy(r.plan.policy)}${r.untouched > 0 ? `; ${r.untouched} snapshot(s) outside the host/tags/path filter left alone` : ''}.`)
      .pie('Snapshots', [
        { label: 'kept', value: r.kept.length },
        { label: verb, value: r.removed.length },
      ]);
    let shown = 0;
    for (const g of r.plan.groups) {
      const rows = groupDecisions(g);
      const visible = rows.slice(0, Math.max(0, MAX_ROWS - shown));
      shown += visible.length;
      doc
        .heading(`${describeGroupKey(g.key) || 'all snapshots'}: ${g.keep.length} kept, ${g.remove.length} ${verb}`, 3)
        .table(
          ['Snapshot', 'Time', 'Tags', 'Decision'],
          visible.map((d) => [code(d.id.slice(0, 8)), d.time, d.tags, d.decision === 'keep' ? `✅ kept: ${d.reasons.join(', ')}` : `🗑️ ${verb}`]),
        );
      if (visible.length < rows.length) doc.paragraph(`${rows.length - visible.length} more in this group: see the log and the outputs.`);
    }
  }
  if (r.prune) addPruneSummary(doc.heading('Prune', 3), r.prune, location);
  return doc;
}
