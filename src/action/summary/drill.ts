/** The drill's summary: the checklist, and RTO and snapshot age over the drills kept in the history. */
import { formatBytes, formatCount, formatDuration, type DrillReport } from '../../engine/index.ts';
import type { DrillRecord } from '../drill-history.ts';
import { chartTimeLabel, scaleSeconds } from './chart-scale.ts';
import { bold, code, join, SummaryDocument } from './document.ts';

export const DRILL_STATUS_ICON = { passed: '✅', failed: '❌', skipped: '⏭️' } as const;

export function drillSummary(r: DrillReport, location: string, history: readonly DrillRecord[]): SummaryDocument {
  const title = r.status === 'passed' ? '✅ Restore drill passed' : `❌ Restore drill failed at "${r.failedStep!.title}"`;
  const doc = new SummaryDocument()
    .heading(`chunkvault: ${title}`)
    .paragraph(
      r.rtoMs !== undefined
        ? join(['Recovery time (RTO) ', bold(formatDuration(r.rtoMs)), `; ${formatCount(r.filesVerified)} files (${formatBytes(r.bytesVerified)}) verified.`])
        : 'No recovery time: the drill stopped before the restore completed.',
    )
    .table(
      ['', 'Step', 'Result', 'Time'],
      r.steps.map((s) => [DRILL_STATUS_ICON[s.status], s.title, s.detail, s.durationMs === undefined ? '' : formatDuration(s.durationMs)]),
    )
    .paragraph(join(['Snapshot ', r.snapshotId ? code(r.snapshotId) : 'none', ' in ', code(location), partialNote(r.snapshotReadErrors)]));
  addHistoryCharts(doc, history);
  return doc;
}

/** A partial snapshot restores, but not all of the data: the summary says so beside its id. */
function partialNote(readErrors: number | undefined): string {
  return readErrors ? ` ⚠️ partial: ${formatCount(readErrors)} unreadable files or directories were not backed up in it` : '';
}

function addHistoryCharts(doc: SummaryDocument, history: readonly DrillRecord[]): void {
  const withRto = history.filter((h) => h.rtoMs !== undefined);
  const withAge = history.filter((h) => h.snapshotAgeMs !== undefined);
  if (withRto.length < 2 && withAge.length < 2) return;
  doc.heading(`History: the last ${history.length} drills kept on this runner's cache`, 3);
  if (withRto.length >= 2) {
    const rto = scaleSeconds(withRto.map((h) => h.rtoMs!));
    doc.chart({ title: 'Recovery time (RTO)', labels: withRto.map((h) => chartTimeLabel(h.timeMs)), points: 'drills', yAxis: rto.unit, series: [{ kind: 'line', values: rto.values }] });
  }
  if (withAge.length >= 2) {
    const age = scaleSeconds(withAge.map((h) => h.snapshotAgeMs!));
    doc.chart({ title: 'Age of the drilled snapshot', labels: withAge.map((h) => chartTimeLabel(h.timeMs)), points: 'drills', yAxis: age.unit, series: [{ kind: 'bar', values: age.values }] });
  }
}
