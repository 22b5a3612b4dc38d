/**
 * A snapshot as JSON: exactly what `restic snapshots --json` (0.14) prints for it, field
 * for field and in its order (empty fields left out, `paths` always, the time in the
 * offset it was written with), then what restic 0.14 does not know: our `description`
 * and `summary`, only when the snapshot has them.
 */
import { formatTimeInOffset, type SnapshotEntry, type SnapshotListGroup } from '../engine/index.ts';

export function snapshotJson(s: SnapshotEntry): Record<string, unknown> {
  const { snapshot } = s;
  const out: Record<string, unknown> = { time: formatTimeInOffset(snapshot.time, snapshot.timeOffsetSeconds ?? 0) };
  if (snapshot.parent !== undefined) out['parent'] = snapshot.parent;
  out['tree'] = snapshot.tree;
  out['paths'] = snapshot.paths;
  if (snapshot.hostname) out['hostname'] = snapshot.hostname;
  if (snapshot.username) out['username'] = snapshot.username;
  if (snapshot.uid) out['uid'] = snapshot.uid;
  if (snapshot.gid) out['gid'] = snapshot.gid;
  if (snapshot.excludes?.length) out['excludes'] = snapshot.excludes;
  if (snapshot.tags?.length) out['tags'] = snapshot.tags;
  if (snapshot.original !== undefined) out['original'] = snapshot.original;
  out['id'] = s.id;
  out['short_id'] = s.id.slice(0, 8);
  if (snapshot.description) out['description'] = snapshot.description;
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
