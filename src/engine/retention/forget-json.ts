/**
 * A forget plan in the shape of `restic forget --json`: an array of
 * `{tags, host, paths, keep, remove, reasons}`, one per group, with empty lists as null
 * and zero counters left out, as Go writes them.
 */
import { shortId } from '../format/id.ts';
import type { ForgetPlan, KeepReason, RetentionCounters } from './apply.ts';
import type { RetentionEntry } from './entry.ts';
import { sortedGoStrings } from './group.ts';
import { formatZonedTime } from './wall-clock.ts';

export type SnapshotJsonFunction = (entry: RetentionEntry) => Record<string, unknown>;

export interface ForgetGroupJson {
  tags: string[] | null;
  host: string;
  paths: string[] | null;
  keep: Record<string, unknown>[] | null;
  remove: Record<string, unknown>[] | null;
  reasons: { snapshot: Record<string, unknown>; matches: string[]; counters: Partial<RetentionCounters> }[] | null;
}

/**
 * restic 0.14's JSON for a snapshot in `snapshots --json` and `forget --json`: its own
 * fields (empty ones left out, `paths` always), the time in the offset it was written
 * with, then `id` and `short_id`. Fields restic 0.14 does not know (summary,
 * program_version) are not shown, as it drops them when reading.
 */
export function resticSnapshotJson(entry: RetentionEntry): Record<string, unknown> {
  const s = entry.snapshot;
  const out: Record<string, unknown> = {
    time: formatZonedTime({ ns: s.time, offsetSeconds: entry.recordedOffsetSeconds ?? 0 }),
  };
  if (s.parent !== undefined) out['parent'] = s.parent;
  out['tree'] = s.tree;
  out['paths'] = s.paths;
  if (s.hostname) out['hostname'] = s.hostname;
  if (s.username) out['username'] = s.username;
  if (s.uid) out['uid'] = s.uid;
  if (s.gid) out['gid'] = s.gid;
  if (s.excludes?.length) out['excludes'] = s.excludes;
  if (s.tags?.length) out['tags'] = s.tags;
  if (s.original !== undefined) out['original'] = s.original;
  out['id'] = entry.id;
  out['short_id'] = shortId(entry.id);
  return out;
}

function nonZeroCounters(c: RetentionCounters): Partial<RetentionCounters> {
  return Object.fromEntries(Object.entries(c).filter(([, n]) => n !== 0));
}

/**
 * The plan as `restic forget --json` prints it (groups in key order; restic's own order
 * is random). Like restic, every snapshot is shown with its paths sorted, and with its
 * tags sorted when grouping by tags (restic sorts them in place while grouping).
 * `snapshotJson` renders one snapshot, with `id` and `short_id`; the reasons show the
 * same object without those two, as restic does.
 */
export function forgetJson(plan: ForgetPlan, snapshotJson: SnapshotJsonFunction = resticSnapshotJson): ForgetGroupJson[] {
  const shown = (entry: RetentionEntry): RetentionEntry => {
    const s = entry.snapshot;
    const snapshot = { ...s, paths: sortedGoStrings(s.paths) };
    if (plan.groupBy.tags && s.tags !== undefined) snapshot.tags = sortedGoStrings(s.tags);
    return { ...entry, snapshot };
  };
  const list = (entries: RetentionEntry[]) => (entries.length === 0 ? null : entries.map((e) => snapshotJson(shown(e))));
  const reason = (r: KeepReason) => {
    const { id: _id, short_id: _shortId, ...snapshot } = snapshotJson(shown(r.entry));
    return { snapshot, matches: r.matches, counters: nonZeroCounters(r.counters) };
  };
  return plan.groups.map((g) => ({
    tags: g.key.tags === null ? null : [...g.key.tags],
    host: g.key.hostname,
    paths: g.key.paths === null ? null : [...g.key.paths],
    keep: list(g.keep),
    remove: list(g.remove),
    reasons: g.reasons.length === 0 ? null : g.reasons.map(reason),
  }));
}
