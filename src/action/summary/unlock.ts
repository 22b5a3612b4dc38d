/** The unlock summary: each lock and what was decided about it. */
import { shortId, type UnlockResult } from '../../engine/index.ts';
import { describeLockHolder } from '../../report/lock-holder.ts';
import { code, SummaryDocument } from './document.ts';

export function unlockSummary(r: UnlockResult, location: string): SummaryDocument {
  const doc = new SummaryDocument().heading(`chunkvault: unlock: ${r.removed.length} lock(s) removed, ${r.kept.length} kept`);
  if (r.removed.length === 0 && r.kept.length === 0) return doc.paragraph(`No locks in ${location}.`);
  return doc.table(
    ['Lock', 'Holder', 'Decision'],
    [
      ...r.removed.map((h) => [code(shortId(h.id)), describeLockHolder(h), 'removed']),
      ...r.kept.map((h) => [code(shortId(h.id)), describeLockHolder(h), 'kept: looks alive (remove-all: true removes it)']),
    ],
  );
}
