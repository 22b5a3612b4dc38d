/** What a copy did, as lines for the CLI and the action's log. */
import { formatBytes, formatCount, formatDuration, formatTime, shortId, type CopiedSnapshot, type CopyProgress, type CopyResult } from '../engine/index.ts';

/** One line per source snapshot, as restic's copy prints them. */
export function copySnapshotLine(o: CopiedSnapshot): string {
  const what = `snapshot ${shortId(o.sourceId)} of [${o.snapshot.paths.join(' ')}] at ${formatTime(o.snapshot.time)}`;
  return o.status === 'skipped'
    ? `${what}: skipped, already copied to snapshot ${shortId(o.destinationId)}`
    : `${what}: copied to snapshot ${shortId(o.destinationId)} (${formatCount(o.blobsCopied)} blob(s), ${formatBytes(o.bytesCopied)} the destination lacked)`;
}

export function copyReportLines(r: CopyResult): string[] {
  const s = r.stats;
  return [
    `${formatCount(r.copied)} snapshot(s) copied, ${formatCount(r.skipped)} skipped (already in the destination)`,
    `copied ${formatCount(s.dataBlobs)} data and ${formatCount(s.treeBlobs)} tree blob(s), ${formatBytes(s.bytesCopied)}; ` +
      `the destination grew by ${formatBytes(s.bytesAdded)} (${formatCount(s.packsWritten)} pack(s), ${formatCount(s.indexFilesWritten)} index file(s)) in ${formatDuration(s.durationMs)}`,
  ];
}

/** One progress line: the phase and how far it got. */
export function copyProgressLine(p: CopyProgress): string {
  return `[copy: ${p.phase}] ${formatCount(p.snapshotsDone)}/${formatCount(p.snapshotsTotal)} snapshots, ${formatCount(p.blobsCopied)} blobs, ${formatBytes(p.bytesCopied)} copied, ${formatBytes(p.bytesWritten)} written`;
}
