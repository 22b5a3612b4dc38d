/** A forget plan as text: per group, each snapshot kept (with the rules that keep it) or removed. */
import { describeGroupKey, describePolicy, type ForgetGroup, type ForgetResult } from '../engine/index.ts';
import { snapshotTimeText } from './snapshot-time.ts';

export interface SnapshotDecision {
  id: string;
  time: string;
  host: string;
  tags: string;
  paths: string;
  decision: 'keep' | 'remove';
  /** The rules that keep it; empty for a removed snapshot. */
  reasons: string[];
}

/** Each snapshot of a group, newest first, with the decision and its reasons. */
export function groupDecisions(g: ForgetGroup): SnapshotDecision[] {
  const reasons = new Map(g.reasons.map((r) => [r.entry.id, r.matches]));
  const row = (decision: 'keep' | 'remove') => (e: ForgetGroup['keep'][number]): SnapshotDecision => ({
    id: e.id,
    time: snapshotTimeText(e.snapshot.time),
    host: e.snapshot.hostname ?? '',
    tags: (e.snapshot.tags ?? []).join(','),
    paths: e.snapshot.paths.join(', '),
    decision,
    reasons: decision === 'keep' ? (reasons.get(e.id) ?? []) : [],
  });
  return [...g.keep.map(row('keep')), ...g.remove.map(row('remove'))].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
}

export function forgetReportLines(r: ForgetResult): string[] {
  if (r.byId) return namedForgetLines(r);
  const lines = [`policy: ${describePolicy(r.plan.policy)}`];
  if (r.untouched > 0) lines.push(`${r.untouched} snapshot(s) do not match the host/tag/path filter and are left alone`);
  for (const g of r.plan.groups) {
    const what = describeGroupKey(g.key);
    lines.push('', what ? `snapshots for ${what}:` : 'all snapshots:');
    const rows = groupDecisions(g);
    const width = (f: (d: SnapshotDecision) => string, head: string) => Math.max(head.length, ...rows.map((d) => f(d).length));
    const wTags = width((d) => d.tags, 'Tags');
    lines.push(`  ${'ID'.padEnd(8)}  ${'Time'.padEnd(19)}  ${'Tags'.padEnd(wTags)}  Decision`);
    for (const d of rows) {
      const decision = d.decision === 'keep' ? `keep (${d.reasons.join(', ')})` : r.dryRun ? 'would remove' : 'removed';
      lines.push(`  ${d.id.slice(0, 8)}  ${d.time.padEnd(19)}  ${d.tags.padEnd(wTags)}  ${decision}`);
    }
    lines.push(`  ${g.keep.length} kept, ${g.remove.length} ${r.dryRun ? 'to remove' : 'removed'}`);
  }
  lines.push('', `${r.kept.length} snapshot(s) kept, ${r.removed.length} ${r.dryRun ? 'would be removed (dry run: nothing was changed)' : 'removed'}`);
  return lines;
}

/** A forget of named snapshots: each one, and what happened to it. */
function namedForgetLines(r: ForgetResult): string[] {
  const named = r.named ?? [];
  const lines = ['snapshots named by id (no policy applied):'];
  for (const e of named) {
    const what = r.dryRun ? 'would remove' : 'removed';
    lines.push(`  ${e.id.slice(0, 8)}  ${snapshotTimeText(e.snapshot.time).padEnd(19)}  ${e.snapshot.hostname ?? ''}  ${e.snapshot.paths.join(', ')}  ${what}`);
  }
  lines.push('', `${named.length} snapshot(s) ${r.dryRun ? 'would be removed (dry run: nothing was changed)' : 'removed'}`);
  return lines;
}
