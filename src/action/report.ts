/** Step outputs and the job summary for each mode. */
import * as core from '@actions/core';
import { formatBytes, formatCount, formatDuration, formatRatio, type BackupResult, type DumpError } from '../engine/index.ts';
import { Outputs } from './constants.ts';
import type { BackupSettings } from './settings.ts';
import { escapeHtml } from './summary-html.ts';

export function setBackupOutputs(r: BackupResult, errorCount: number): void {
  const s = r.stats;
  core.setOutput(Outputs.SnapshotId, r.snapshotId);
  core.setOutput(Outputs.SnapshotShortId, r.snapshotId.slice(0, 8));
  core.setOutput(Outputs.ParentId, r.parentId ?? '');
  core.setOutput(Outputs.FilesNew, s.filesNew);
  core.setOutput(Outputs.FilesChanged, s.filesChanged);
  core.setOutput(Outputs.FilesUnmodified, s.filesUnmodified);
  core.setOutput(Outputs.BytesProcessed, s.bytesProcessed);
  core.setOutput(Outputs.BytesAdded, s.bytesAdded);
  core.setOutput(Outputs.DurationMs, s.durationMs);
  core.setOutput(Outputs.ErrorCount, errorCount);
  if (r.dump) core.setOutput(Outputs.DumpBytes, r.dump.bytes);
}

export async function writeBackupSummary(settings: BackupSettings, location: string, r: BackupResult, extraErrors: string[]): Promise<void> {
  const s = r.stats;
  const files = s.filesNew + s.filesChanged + s.filesUnmodified;
  const errorCount = r.errors.length + extraErrors.length;
  const status = errorCount === 0 ? '✅ Backup complete' : `⚠️ Backup complete with ${errorCount} error${errorCount === 1 ? '' : 's'}`;
  const summary = core.summary
    .addHeading(`chunkvault: ${status}`, 2)
    .addRaw(`Snapshot <code>${r.snapshotId.slice(0, 8)}</code> of host <code>${escapeHtml(settings.host)}</code>`, true)
    .addTable([
      [
        { data: 'What', header: true },
        { data: 'Figure', header: true },
      ],
      ['Snapshot', `<code>${r.snapshotId}</code>`],
      ['Parent', r.parentId ? `<code>${r.parentId.slice(0, 8)}</code>` : 'none (first backup of these paths on this host)'],
      ['Backed up', pathList(r.snapshot.paths)],
      ...(r.dump ? [['Dump', `<code>${escapeHtml(r.dump.path)}</code>: ${formatBytes(r.dump.bytes)} from <code>${escapeHtml(settings.dump?.command ?? '')}</code>`]] : []),
      ['Files', `${formatCount(files)} (${formatCount(s.filesNew)} new, ${formatCount(s.filesChanged)} changed, ${formatCount(s.filesUnmodified)} unmodified)`],
      ['Processed', formatBytes(s.bytesProcessed)],
      ['New data', formatBytes(s.dataAdded)],
      ['Repository grew by', formatBytes(s.bytesAdded)],
      ['Dedup ratio', formatRatio(s.bytesProcessed, s.dataAdded)],
      ['Compression ratio', formatRatio(s.dataAdded, s.dataAddedPacked)],
      ['Duration', formatDuration(s.durationMs)],
      ['Repository', `<code>${escapeHtml(location)}</code>`],
      ...(settings.tags.length ? [['Tags', escapeHtml(settings.tags.join(', '))]] : []),
    ]);
  if (errorCount > 0) {
    const items = [...extraErrors, ...r.errors.map((e) => `${e.path}: ${e.message}`)].slice(0, 50).map(escapeHtml);
    summary.addHeading('Not backed up', 3).addList(items);
  }
  await summary.write();
}

/** A failed dump: no snapshot; the command, how it ended, and its last error lines. */
export async function writeDumpFailureSummary(settings: BackupSettings, e: DumpError): Promise<void> {
  const ended = e.failure === 'start' ? 'could not be started' : e.signal ? `killed by ${e.signal}` : `exit status ${e.exitCode}`;
  const summary = core.summary
    .addHeading(`chunkvault: ❌ Dump failed, no snapshot written`, 2)
    .addTable([
      [
        { data: 'What', header: true },
        { data: 'Figure', header: true },
      ],
      ['Command', `<code>${escapeHtml(settings.dump?.command ?? '')}</code>`],
      ['Ended', e.failure === 'empty' ? `${escapeHtml(ended)}, but wrote nothing (an empty dump is refused unless allow-empty-dump: true)` : escapeHtml(ended)],
    ]);
  if (e.stderrTail.length > 0) summary.addHeading('Last lines of its standard error', 3).addCodeBlock(e.stderrTail.join('\n'));
  await summary.write();
}

/** The snapshot's paths, a few of them when there are many. */
function pathList(paths: readonly string[]): string {
  const shown = paths.slice(0, 10).map((p) => `<code>${escapeHtml(p)}</code>`);
  if (paths.length > shown.length) shown.push(`and ${paths.length - shown.length} more`);
  return shown.join('<br>');
}

