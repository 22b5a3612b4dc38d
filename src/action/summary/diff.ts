/** The diff summary: counts of what changed, and the first changes. */
import { formatBytes, formatCount, formatTime, shortId, type DiffChange, type DiffResult, type SnapshotEntry } from '../../engine/index.ts';
import { code, join, SummaryDocument, type Content } from './document.ts';

export function diffSummary(r: DiffResult, shown: readonly DiffChange[]): SummaryDocument {
  const when = (s: SnapshotEntry) => join([code(shortId(s.id)), ` (${formatTime(s.snapshot.time).replace('T', ' ').replace(/\.\d+/, '')})`]);
  const row = (what: string, added: number, removed: number, changed = ''): Content[] => [what, formatCount(added), formatCount(removed), changed];
  const doc = new SummaryDocument()
    .heading(`chunkvault: diff: ${formatCount(r.added.files)} file(s) added, ${formatCount(r.removed.files)} removed, ${formatCount(r.changedFiles)} changed`)
    .paragraph(join(['From ', when(r.from), ' to ', when(r.to), '.']))
    .table(
      ['', 'Added', 'Removed', 'Changed'],
      [
        row('Files', r.added.files, r.removed.files, formatCount(r.changedFiles)),
        row('Directories', r.added.dirs, r.removed.dirs),
        row('Others', r.added.others, r.removed.others),
        row('Data blobs', r.added.dataBlobs, r.removed.dataBlobs),
        row('Tree blobs', r.added.treeBlobs, r.removed.treeBlobs),
        ['Bytes of those blobs', formatBytes(r.added.bytes), formatBytes(r.removed.bytes), ''],
      ],
    );
  if (shown.length > 0) {
    doc.table(['', 'Path'], shown.map((c) => [code(c.modifier), code(c.path)]));
    if (r.changes > shown.length) doc.paragraph(`${formatCount(r.changes - shown.length)} more change(s): see the log.`);
  }
  return doc;
}
