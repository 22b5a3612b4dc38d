/** The prune summary: the plan and what was done, and where the repository's bytes went. */
import { formatBytes, formatCount, formatDuration, significant, type PruneResult } from '../../engine/index.ts';
import { bytesUnit } from './chart-scale.ts';
import { code, SummaryDocument, type FigureRow } from './document.ts';

/** Adds the prune's table and picture to `doc` (alone, or after forget's). */
export function addPruneSummary(doc: SummaryDocument, r: PruneResult, location: string): SummaryDocument {
  const s = r.stats;
  const total = s.used.bytes + s.duplicate.bytes + s.unused.bytes + s.unreferencedBytes;
  const unusedBefore = s.unused.bytes + s.duplicate.bytes + s.unreferencedBytes;
  const unusedAfter = s.duplicate.bytes + s.unused.bytes - s.remove.bytes - s.repackRemove.bytes;
  const planned = r.dryRun ? ' (planned)' : '';
  const rows: FigureRow[] = [
    ['Repository', code(location)],
    ['Snapshots', formatCount(r.snapshots)],
    ['In use', `${formatBytes(s.used.bytes)} (${formatCount(s.used.blobs)} blobs)`],
    ['Unused before', `${formatBytes(unusedBefore)} of ${formatBytes(total)}`],
    ['Packs deleted', `${formatCount(s.packs.remove + s.packs.unreferenced + s.packs.repack)} (${formatCount(s.packs.repack)} of them after repacking)${planned}`],
    ['Packs repacked', `${formatCount(s.packs.repack)} (${formatBytes(s.repack.bytes)}, of which ${formatBytes(s.repackRemove.bytes)} unused)${planned}`],
    ['Packs kept', formatCount(s.packs.keep)],
    ['Unused after', formatBytes(unusedAfter)],
    [r.dryRun ? 'Would free' : 'Freed', formatBytes(r.bytesFreed)],
    ...(r.dryRun ? [] : ([['Duration', formatDuration(r.durationMs)]] as const)),
  ];
  doc.table(['Prune', 'Figure'], rows);
  const { unit, scale } = bytesUnit([total]);
  return doc.pie(`The repository's ${formatBytes(total)}, in ${unit}`, [
    { label: 'in use', value: scale(s.used.bytes) },
    { label: r.dryRun ? 'would be freed' : 'freed', value: scale(r.bytesFreed) },
    { label: 'unused, kept', value: Number(significant(Math.max(0, scale(unusedAfter)))) },
  ]);
}

export function pruneSummary(r: PruneResult, location: string): SummaryDocument {
  const heading = r.dryRun ? `chunkvault: prune plan (dry run): would free ${formatBytes(r.bytesFreed)}` : `chunkvault: prune done: ${formatBytes(r.bytesFreed)} freed`;
  return addPruneSummary(new SummaryDocument().heading(heading), r, location);
}
