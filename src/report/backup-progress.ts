/** One line of backup progress, the same in the CLI and the action's log. */
import { formatBytes, formatCount, formatDuration, formatRate, formatRatio, type BackupProgress } from '../engine/index.ts';

export function backupProgressLine(p: BackupProgress): string {
  const files = p.filesNew + p.filesChanged + p.filesUnmodified;
  return (
    `[${formatDuration(p.elapsedMs)}] ${p.phase}: ${formatCount(files)} files, ${formatBytes(p.bytesProcessed)} processed ` +
    `(${formatRate(p.bytesRead, p.elapsedMs)}), ${formatBytes(p.dataAdded)} new, ${formatBytes(p.bytesWritten)} stored` +
    (p.bytesWritten > 0 ? `, ratio ${formatRatio(p.bytesProcessed, p.bytesWritten)}` : '') +
    (p.errors > 0 ? `, ${p.errors} errors` : '')
  );
}
