/** One line of backup progress, the same in the CLI and the action's log, with the figures of ./figures.ts. */
import { formatBytes, formatCount, formatDuration, type BackupProgress } from '../engine/index.ts';
import { compressionRatio, dedupRatio, processingRate, ratioText } from './figures.ts';

export function backupProgressLine(p: BackupProgress): string {
  const files = p.filesNew + p.filesChanged + p.filesUnmodified;
  const compression = compressionRatio(p);
  return (
    `[${formatDuration(p.elapsedMs)}] ${p.phase}: ${formatCount(files)} files, ${formatBytes(p.bytesProcessed)} processed ` +
    `(${processingRate(p.bytesProcessed, p.elapsedMs)}), ${formatBytes(p.dataAdded)} new, ${formatBytes(p.bytesWritten)} added` +
    (p.dataAdded > 0 ? `, dedup ${ratioText(dedupRatio(p))}` : '') +
    (compression !== undefined ? `, compression ${ratioText(compression)}` : '') +
    (p.errors > 0 ? `, ${p.errors} errors` : '')
  );
}
