/** The restore's summary: which snapshot went where, and its size. */
import { formatBytes, formatCount, formatDuration, type RestoreResult } from '../../engine/index.ts';
import { code, lines, SummaryDocument } from './document.ts';

export function restoreSummary(r: RestoreResult, location: string): SummaryDocument {
  return new SummaryDocument()
    .heading('chunkvault: ✅ Restore complete')
    .paragraph(`Snapshot ${r.snapshotId.slice(0, 8)}: ${formatCount(r.filesRestored)} files, ${formatBytes(r.bytesRestored)} in ${formatDuration(r.durationMs)}, every blob verified.`)
    .figures([
      ['Snapshot', code(r.snapshotId)],
      ...(r.snapshotReadErrors ? ([['Partial snapshot', `⚠️ ${formatCount(r.snapshotReadErrors)} unreadable files or directories were not backed up in it`]] as const) : []),
      ['Target', code(r.target)],
      ['Files', formatCount(r.filesRestored)],
      ['Directories', formatCount(r.dirsRestored)],
      ['Bytes', formatBytes(r.bytesRestored)],
      ['Duration', formatDuration(r.durationMs)],
      ['Repository', code(location)],
      ...(r.warnings.length ? ([['Warnings', lines(r.warnings.slice(0, 20))]] as const) : []),
    ]);
}
