/** The snapshots summary: the table, newest first, and the size and additions of the snapshots over time. */
import { formatBytes, formatCount, type SnapshotEntry } from '../../engine/index.ts';
import { snapshotTimeText } from '../../report/snapshot-time.ts';
import { bytesUnit, chartTimeLabel, MAX_CHART_POINTS } from './chart-scale.ts';
import { code, lines, SummaryDocument, type Content } from './document.ts';

/** Rows in the summary table; the output and the log have every snapshot. */
const MAX_ROWS = 100;

/** `list` oldest first, as groupForListing gives it. */
export function snapshotsSummary(list: readonly SnapshotEntry[]): SummaryDocument {
  const newestFirst = [...list].reverse();
  const withDescription = list.some((s) => s.snapshot.description);
  const withPartial = list.some((s) => s.snapshot.readErrors);
  const doc = new SummaryDocument().heading(`chunkvault: ${formatCount(list.length)} snapshot(s)`);
  if (list.length === 0) return doc.paragraph('No snapshot matches the filter.');
  doc.table(
    ['ID', 'Time', 'Host', 'Tags', 'Files', 'Size', 'Added', 'Paths', ...(withPartial ? ['Partial'] : []), ...(withDescription ? ['Description'] : [])],
    newestFirst.slice(0, MAX_ROWS).map((s): Content[] => {
      const sum = s.snapshot.summary;
      return [
        code(s.id.slice(0, 8)),
        snapshotTimeText(s.snapshot.time),
        s.snapshot.hostname ?? '',
        (s.snapshot.tags ?? []).join(', '),
        sum ? formatCount(sum.totalFilesProcessed) : '',
        sum ? formatBytes(sum.totalBytesProcessed) : '',
        sum ? formatBytes(sum.dataAddedPacked) : '',
        lines(s.snapshot.paths),
        ...(withPartial ? [s.snapshot.readErrors ? `⚠️ ${formatCount(s.snapshot.readErrors)} not read` : ''] : []),
        ...(withDescription ? [s.snapshot.description ?? ''] : []),
      ];
    }),
  );
  if (list.length > MAX_ROWS) doc.paragraph(`Showing the newest ${MAX_ROWS}; the snapshots output and the log have all of them.`);
  const points = list.filter((s) => s.snapshot.summary).slice(-MAX_CHART_POINTS);
  if (points.length >= 2) {
    const size = points.map((s) => s.snapshot.summary!.totalBytesProcessed);
    const added = points.map((s) => s.snapshot.summary!.dataAddedPacked);
    const { unit, scale } = bytesUnit(size);
    doc.heading(`The last ${points.length} snapshots with figures`, 3).chart({
      title: 'Size of each snapshot (line) and what it added (bars)',
      labels: points.map((s) => chartTimeLabel(Number(s.snapshot.time / 1_000_000n))),
      points: 'snapshots',
      yAxis: unit,
      series: [
        { kind: 'bar', values: added.map(scale) },
        { kind: 'line', values: size.map(scale) },
      ],
    });
  }
  return doc;
}
