/** The stats summary: restic's figures for one snapshot or all. */
import { formatBytes, formatCount, type StatsResult } from '../../engine/index.ts';
import { code, join, SummaryDocument, type FigureRow } from './document.ts';

export function statsSummary(r: StatsResult, location: string): SummaryDocument {
  const rows: FigureRow[] = [
    ['Snapshots', formatCount(r.snapshots.length)],
    ...(r.totalFileCount > 0 ? ([['Files', formatCount(r.totalFileCount)]] as const) : []),
    ...(r.totalBlobCount > 0 ? ([['Blobs', formatCount(r.totalBlobCount)]] as const) : []),
    ['Total size', `${formatBytes(r.totalSize)} (${formatCount(r.totalSize)} bytes)`],
  ];
  return new SummaryDocument()
    .heading(`chunkvault: stats (${r.mode}): ${formatBytes(r.totalSize)}`)
    .paragraph(join(['Repository ', code(location), ...(r.snapshots.length === 1 ? [', snapshot ', code(r.snapshots[0]!.slice(0, 8))] : []), '.']))
    .table(['Figure', 'Value'], rows);
}
