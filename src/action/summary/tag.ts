/** The tag summary: each changed snapshot, its new id and tags. */
import { shortId, type TagResult } from '../../engine/index.ts';
import { code, SummaryDocument } from './document.ts';

/** Rows in the summary; the output lists every change. */
const MAX_ROWS = 200;

export function tagSummary(r: TagResult): SummaryDocument {
  const doc = new SummaryDocument()
    .heading(`chunkvault: tags changed on ${r.changed.length} snapshot(s)`)
    .table(
      ['Snapshot', 'New ID', 'Tags'],
      r.changed.slice(0, MAX_ROWS).map((c) => [code(shortId(c.oldId)), code(shortId(c.newId)), c.tags.join(', ')]),
    );
  if (r.changed.length > MAX_ROWS) doc.paragraph(`${r.changed.length - MAX_ROWS} more: see the changed-snapshots output.`);
  if (r.unchanged.length > 0) doc.paragraph(`${r.unchanged.length} selected snapshot(s) already had these tags.`);
  if (r.failed.length > 0) doc.heading('Not changed', 3).list(r.failed.map((f) => `❌ ${shortId(f.id)}: ${f.message}`));
  return doc;
}
