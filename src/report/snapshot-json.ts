/** A snapshot as JSON: the shape `restic snapshots --json` prints, plus summary figures. */
import { formatTime, type SnapshotEntry } from '../engine/index.ts';

export function snapshotJson(s: SnapshotEntry): Record<string, unknown> {
  const { snapshot } = s;
  return {
    time: formatTime(snapshot.time),
    ...(snapshot.parent ? { parent: snapshot.parent } : {}),
    tree: snapshot.tree,
    paths: snapshot.paths,
    hostname: snapshot.hostname ?? '',
    username: snapshot.username ?? '',
    ...(snapshot.tags?.length ? { tags: snapshot.tags } : {}),
    id: s.id,
    short_id: s.id.slice(0, 8),
    ...(snapshot.summary
      ? {
          summary: {
            files_new: snapshot.summary.filesNew,
            files_changed: snapshot.summary.filesChanged,
            files_unmodified: snapshot.summary.filesUnmodified,
            data_added: snapshot.summary.dataAdded,
            total_files_processed: snapshot.summary.totalFilesProcessed,
            total_bytes_processed: snapshot.summary.totalBytesProcessed,
          },
        }
      : {}),
  };
}

