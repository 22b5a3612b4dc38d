/** The ls summary: what was listed and how much; the listing itself is in the log. */
import { formatBytes, formatCount } from '../../engine/index.ts';
import { code, join, SummaryDocument } from './document.ts';

export interface LsCounts {
  files: number;
  dirs: number;
  other: number;
  bytes: number;
}

export function lsSummary(snapshotId: string, dirs: readonly string[], counts: LsCounts): SummaryDocument {
  return new SummaryDocument()
    .heading(`chunkvault ls: snapshot ${snapshotId.slice(0, 8)}`)
    .table(
      ['Listed', 'Files', 'Directories', 'Other', 'Size of files'],
      [[dirs.length > 0 ? join(dirs.map(code), ', ') : 'everything', formatCount(counts.files), formatCount(counts.dirs), formatCount(counts.other), formatBytes(counts.bytes)]],
    )
    .paragraph('The listing is in the log of this step.');
}
