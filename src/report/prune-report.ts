/** What a prune found and did, as lines for the CLI and the action's log. */
import { formatBytes, formatCount, formatDuration, type PruneProgress, type PruneResult } from '../engine/index.ts';

export function pruneReportLines(r: PruneResult): string[] {
  const s = r.stats;
  const totalBytes = s.used.bytes + s.duplicate.bytes + s.unused.bytes + s.unreferencedBytes;
  const unusedBytes = s.duplicate.bytes + s.unused.bytes;
  const freedPlan = s.remove.bytes + s.repackRemove.bytes + s.unreferencedBytes;
  const lines = [
    `${formatCount(r.snapshots)} snapshot(s) use ${formatCount(s.used.blobs)} blob(s), ${formatBytes(s.used.bytes)}`,
    `unused: ${formatCount(s.unused.blobs)} blob(s), ${formatBytes(s.unused.bytes)}` +
      (s.duplicate.blobs > 0 ? `; duplicates: ${formatCount(s.duplicate.blobs)} blob(s), ${formatBytes(s.duplicate.bytes)}` : '') +
      (s.unreferencedBytes > 0 ? `; in packs no index names: ${formatBytes(s.unreferencedBytes)}` : '') +
      ` (${percent(unusedBytes + s.unreferencedBytes, totalBytes)} of ${formatBytes(totalBytes)})`,
    `packs: ${formatCount(s.packs.used)} fully used, ${formatCount(s.packs.partlyUsed)} partly used, ${formatCount(s.packs.unused)} unused, ${formatCount(s.packs.unreferenced)} unreferenced`,
    `${r.dryRun ? 'would delete' : 'delete'} ${formatCount(s.packs.remove + s.packs.unreferenced)} pack(s), ` +
      `${r.dryRun ? 'would repack' : 'repack'} ${formatCount(s.packs.repack)} (${formatBytes(s.repack.bytes)}, dropping ${formatBytes(s.repackRemove.bytes)}), keep ${formatCount(s.packs.keep)}`,
    `unused after prune: ${formatBytes(unusedBytes - s.remove.bytes - s.repackRemove.bytes)} (${percent(unusedBytes - s.remove.bytes - s.repackRemove.bytes, totalBytes - freedPlan)} of what remains)`,
  ];
  if (r.plan.ignorePacks.length > 0) lines.push(`${formatCount(r.plan.ignorePacks.length)} missing pack(s) held nothing in use: dropped from the index`);
  lines.push(
    r.dryRun
      ? `dry run: nothing was changed; a prune would free about ${formatBytes(r.bytesFreed)}`
      : `deleted ${formatCount(r.packsDeleted)} pack(s), wrote ${formatCount(r.packsWritten)} new pack(s) and ${formatCount(r.indexFilesWritten)} index file(s), freed ${formatBytes(r.bytesFreed)} in ${formatDuration(r.durationMs)}`,
  );
  return lines;
}

/** One progress line: the phase and how far it got. */
export function pruneProgressLine(p: PruneProgress): string {
  switch (p.phase) {
    case 'trees':
      return `[prune: trees] ${formatCount(p.snapshots)} snapshots, ${formatCount(p.treesWalked)} trees walked`;
    case 'repack':
      return `[prune: repack] ${formatCount(p.packsRepacked)}/${formatCount(p.packsToRepack)} packs repacked`;
    case 'unreferenced':
    case 'delete-packs':
      return `[prune: ${p.phase}] ${formatCount(p.filesDeleted)}/${formatCount(p.filesToDelete)} packs deleted`;
    default:
      return `[prune: ${p.phase}]`;
  }
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0%';
}
