/** One line of restore progress, the same in the CLI and the action's log. */
import { formatBytes, formatCount, formatDuration, formatRate, type RestoreProgress } from '../engine/index.ts';

export function restoreProgressLine(p: RestoreProgress): string {
  const totals = p.filesTotal > 0 || p.bytesTotal > 0;
  return (
    `[${formatDuration(p.elapsedMs)}] ${p.phase}: ${formatCount(p.filesRestored)}${totals ? ` / ${formatCount(p.filesTotal)}` : ''} files, ` +
    `${formatBytes(p.bytesRestored)}${totals ? ` / ${formatBytes(p.bytesTotal)}` : ''} (${formatRate(p.bytesRestored, p.elapsedMs)}), ` +
    `${formatCount(p.dirsRestored)} dirs`
  );
}
