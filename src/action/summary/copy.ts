/** The copy summary: from where to where, what moved, and each snapshot's result. */
import { formatBytes, formatCount, formatDuration, formatTime, type CopyResult } from '../../engine/index.ts';
import { code, join, lines, SummaryDocument } from './document.ts';

/** Snapshot rows in the summary; the log has every one. */
const MAX_ROWS = 100;

export function copySummary(r: CopyResult, from: string, to: string): SummaryDocument {
  const s = r.stats;
  const doc = new SummaryDocument()
    .heading(`chunkvault: copy: ${formatCount(r.copied)} snapshot(s) copied, ${formatCount(r.skipped)} skipped`)
    .figures([
      ['From', code(from)],
      ['To', code(to)],
      ['Blobs copied', `${formatCount(s.dataBlobs)} data, ${formatCount(s.treeBlobs)} tree (${formatBytes(s.bytesCopied)})`],
      ['Destination grew by', formatBytes(s.bytesAdded)],
      ['Duration', formatDuration(s.durationMs)],
    ])
    .table(
      ['Source snapshot', 'Time', 'Paths', 'Result'],
      r.snapshots
        .slice(0, MAX_ROWS)
        .map((o) => [
          code(o.sourceId.slice(0, 8)),
          formatTime(o.snapshot.time).replace('T', ' ').replace(/\.\d+/, ''),
          lines(o.snapshot.paths),
          o.status === 'copied' ? join(['✅ copied to ', code(o.destinationId.slice(0, 8))]) : join(['⏭️ already there as ', code(o.destinationId.slice(0, 8))]),
        ]),
    );
  if (r.snapshots.length > MAX_ROWS) doc.paragraph(`Showing ${MAX_ROWS} of ${r.snapshots.length}; the log lists every one.`);
  return doc;
}
