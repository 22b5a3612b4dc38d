/**
 * restic 0.14's stats output, for the CLI and the action's log. Sizes are written by
 * formatBytes (restic has its own "%.3f MiB" style); the JSON has the exact byte count.
 */
import { formatBytes, type StatsResult } from '../engine/index.ts';

export function statsLines(r: StatsResult): string[] {
  const lines = [`Stats in ${r.mode} mode:`, `Snapshots processed:   ${r.snapshots.length}`];
  if (r.totalBlobCount > 0) lines.push(`   Total Blob Count:   ${r.totalBlobCount}`);
  if (r.totalFileCount > 0) lines.push(`   Total File Count:   ${r.totalFileCount}`);
  lines.push(`         Total Size:   ${formatBytes(r.totalSize).padEnd(5)}`);
  return lines;
}

/** restic's JSON: total_blob_count is left out when 0, total_file_count never is. */
export function statsJson(r: StatsResult): string {
  return JSON.stringify({
    total_size: r.totalSize,
    total_file_count: r.totalFileCount,
    ...(r.totalBlobCount > 0 ? { total_blob_count: r.totalBlobCount } : {}),
    snapshots_count: r.snapshots.length,
  });
}
