/**
 * A snapshot as JSON: exactly what `restic snapshots --json` (0.14) prints for it, field
 * for field and in its order (empty fields left out, `paths` always, the time in the
 * offset it was written with), then what restic 0.14 does not know: our `description`,
 * `read_errors` (a partial snapshot) and `summary`, only when the snapshot has them.
 */
import { resticSnapshotJson, type SnapshotEntry, type SnapshotListGroup } from '../engine/index.ts';

export function snapshotJson(s: SnapshotEntry): Record<string, unknown> {
  const { snapshot } = s;
  // restic's own fields, as forget --json writes them, then ours.
  const out = resticSnapshotJson({ id: s.id, snapshot, recordedOffsetSeconds: snapshot.timeOffsetSeconds });
  if (snapshot.description) out['description'] = snapshot.description;
  if (snapshot.readErrors) out['read_errors'] = snapshot.readErrors;
  if (snapshot.summary) {
    out['summary'] = {
      files_new: snapshot.summary.filesNew,
      files_changed: snapshot.summary.filesChanged,
      files_unmodified: snapshot.summary.filesUnmodified,
      data_added: snapshot.summary.dataAdded,
      total_files_processed: snapshot.summary.totalFilesProcessed,
      total_bytes_processed: snapshot.summary.totalBytesProcessed,
    };
  }
  return out;
}

/**
 * A listing as restic 0.14 prints it with --json: one array of snapshots (oldest first)
 * when not grouped; with --group-by, an array of `{group_key, snapshots}`.
 */
export function snapshotListJson(groups: readonly SnapshotListGroup[]): unknown[] {
  if (groups.every((g) => g.key === undefined)) return groups.flatMap((g) => g.snapshots.map(snapshotJson));
  return groups.map((g) => ({ group_key: g.key, snapshots: g.snapshots.map(snapshotJson) }));
}
