import * as os from 'node:os';
import { backup, type BackupProgress, type BackupResult } from '../../engine/commands/backup.ts';
import { parseCompressionMode } from '../../engine/compress/zstd.ts';
import { backupProgressLine } from '../../ui/backup-progress.ts';
import { formatBytes, formatCount, formatDuration, formatRate, formatRatio } from '../../engine/human.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const BACKUP_HELP = `chunkvault backup: back up files and directories into a new snapshot

Usage: chunkvault backup -r REPO [options] PATH...

Options:
  --host NAME          hostname recorded in the snapshot (default: this machine's)
  --tag TAG            add a tag (repeatable, or comma-separated)
  --exclude PATTERN    leave out matching paths (repeatable): '*.log', 'node_modules', '/abs/path'
  --compression MODE   auto (default), max or off
  --parent ID          use this snapshot as the parent instead of the latest matching one
  --force              read every file, ignoring the parent snapshot

Exit codes: 0 done, 3 snapshot written but some files could not be read, 1 failure,
10 no repository, 11 locked, 12 wrong password, 130 interrupted.`;

export interface BackupArgs {
  host?: string;
  tag?: string[];
  exclude?: string[];
  compression?: string;
  parent?: string;
  force?: boolean;
}

export async function runBackup(
  g: GlobalOptions,
  args: BackupArgs,
  paths: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const compression = parseCompressionMode(args.compression ?? 'auto');
  const repo = await openRepository(g, env, { compression, signal });
  const result = await backup(repo, {
    targets: paths,
    excludes: args.exclude ?? [],
    baseDir: process.cwd(),
    hostname: args.host ?? os.hostname(),
    tags: (args.tag ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean),
    parent: args.force ? null : args.parent,
    signal,
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(backupProgressLine(p)),
    onSourceError: (e) => out.warn(`${e.path}: ${e.message}`),
    onLockRefreshError: (e) => out.warn(`could not refresh the repository lock: ${(e as Error).message}`),
  });
  out.done();
  if (g.json) out.result(JSON.stringify(summaryJson(result)));
  else out.result(summaryText(result));
  return result.errors.length > 0 ? ExitCode.PartialBackup : ExitCode.Ok;
}

function summaryText(r: BackupResult): string {
  const s = r.stats;
  return [
    r.parentId ? `using parent snapshot ${r.parentId.slice(0, 8)}` : 'no parent snapshot found, all files were read',
    `Files:       ${formatCount(s.filesNew)} new, ${formatCount(s.filesChanged)} changed, ${formatCount(s.filesUnmodified)} unmodified`,
    `Dirs:        ${formatCount(s.dirsNew)} new, ${formatCount(s.dirsChanged)} changed, ${formatCount(s.dirsUnmodified)} unmodified`,
    `Added to the repository: ${formatBytes(s.dataAdded)} of new data, ${formatBytes(s.bytesAdded)} stored ` +
      `(dedup ${formatRatio(s.bytesProcessed, s.dataAdded)}, compression ${formatRatio(s.dataAdded, s.dataAddedPacked)})`,
    `processed ${formatCount(s.filesNew + s.filesChanged + s.filesUnmodified)} files, ${formatBytes(s.bytesProcessed)} in ${formatDuration(s.durationMs)}`,
    ...(r.errors.length ? [`${r.errors.length} file(s) could not be read and were left out`] : []),
    `snapshot ${r.snapshotId.slice(0, 8)} saved`,
  ].join('\n');
}

/** Close to restic's `backup --json` summary message, with the full snapshot id. */
function summaryJson(r: BackupResult): Record<string, unknown> {
  const s = r.stats;
  return {
    message_type: 'summary',
    files_new: s.filesNew,
    files_changed: s.filesChanged,
    files_unmodified: s.filesUnmodified,
    dirs_new: s.dirsNew,
    dirs_changed: s.dirsChanged,
    dirs_unmodified: s.dirsUnmodified,
    data_blobs: s.dataBlobs,
    tree_blobs: s.treeBlobs,
    data_added: s.dataAdded,
    data_added_packed: s.dataAddedPacked,
    bytes_added: s.bytesAdded,
    total_files_processed: s.filesNew + s.filesChanged + s.filesUnmodified,
    total_bytes_processed: s.bytesProcessed,
    total_duration: s.durationMs / 1000,
    snapshot_id: r.snapshotId,
    parent_id: r.parentId ?? null,
    error_count: r.errors.length,
  };
}
