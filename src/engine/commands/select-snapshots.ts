/**
 * Which snapshots a `snapshots`/`forget` command works on, as restic 0.14 chooses them:
 * either the ones named (full ids, unique prefixes, `latest`), or all that pass the
 * host/tag/path filter; and `--latest N` per group.
 */
import { errorMessage } from '../errors.ts';
import { shortId, type Id } from '../format/id.ts';
import type { CallOptions } from '../storage/backend.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { groupSnapshots, sortedGoStrings, type GroupBy } from '../retention/group.ts';
import { matchesFilter, type SnapshotFilter } from './find-snapshot.ts';

export interface SnapshotSelection {
  /** Oldest first, each once. */
  snapshots: SnapshotEntry[];
  /** What restic would warn about and skip: an unknown or ambiguous id, an unused filter. */
  warnings: string[];
}

/**
 * With `refs`, the snapshots they name, as restic resolves them: `latest` is the newest
 * snapshot that passes the filter, anything else an id or a unique prefix; a name that
 * finds nothing is skipped with a warning, and the filter only serves `latest` (a warning
 * says so when it is given without one). Without `refs`, every snapshot that passes the filter.
 */
export async function selectSnapshots(
  repo: Repository,
  refs: readonly string[],
  filter: SnapshotFilter = {},
  opts?: CallOptions,
): Promise<SnapshotSelection> {
  const warnings: string[] = [];
  // A snapshot file that cannot be read is named and left out, as restic 0.14 lists.
  const unreadable: Id[] = [];
  const all = await repo.listSnapshots({
    ...opts,
    onUnreadable: (id, e) => {
      unreadable.push(id);
      warnings.push(`could not load snapshot ${shortId(id)}: ${errorMessage(e)}`);
    },
  });
  if (refs.length === 0) return { snapshots: all.filter((s) => matchesFilter(s, filter)), warnings };
  const chosen = new Set<SnapshotEntry>();
  let usedFilter = false;
  for (const ref of refs) {
    if (ref === 'latest') {
      usedFilter = true;
      const matching = all.filter((s) => matchesFilter(s, filter));
      const newest = matching[matching.length - 1];
      if (newest) chosen.add(newest);
      else warnings.push(`ignoring 'latest': no snapshot matches the host/tag/path filter`);
      continue;
    }
    const matches = /^[0-9a-f]{1,64}$/.test(ref) ? all.filter((s) => s.id.startsWith(ref)) : [];
    const damaged = unreadable.filter((id) => id.startsWith(ref));
    if (matches.length === 1 && damaged.length === 0) chosen.add(matches[0]!);
    else if (matches.length === 0 && damaged.length === 1) warnings.push(`ignoring '${ref}': snapshot ${shortId(damaged[0]!)} cannot be read`);
    else if (matches.length === 0) warnings.push(`ignoring '${ref}': no snapshot id starts with it`);
    else warnings.push(`ignoring '${ref}': ${matches.length + damaged.length} snapshot ids start with it`);
  }
  const hasFilter = Boolean(filter.hosts?.length || filter.tags?.length || filter.paths?.length);
  if (!usedFilter && hasFilter) warnings.push('ignoring the host/tag/path filter: snapshot ids were given');
  return { snapshots: all.filter((s) => chosen.has(s)), warnings };
}

/** One group of a listing: what its snapshots share (when grouped), and them. */
export interface SnapshotListGroup {
  /** restic's group key JSON object; undefined when not grouped. */
  key?: { hostname: string; paths: string[] | null; tags: string[] | null };
  /** Oldest first, as restic 0.14 lists them (text and JSON). */
  snapshots: SnapshotEntry[];
}

/**
 * restic 0.14's `snapshots [--group-by G] [--latest N]`: groups by G (one group when
 * G is empty), and within a group keeps the newest N of each host and set of paths
 * (restic's `--latest` ignores G for this, so tags never split it). Oldest first.
 */
export function groupForListing(list: readonly SnapshotEntry[], groupBy: GroupBy, latest = 0): SnapshotListGroup[] {
  const grouped = groupBy.host || groupBy.paths || groupBy.tags;
  return groupSnapshots(list, groupBy).map((g) => {
    let snapshots = newestFirst(g.entries);
    if (latest > 0) snapshots = newestPerHostAndPaths(snapshots, latest);
    snapshots.reverse();
    // restic sorts paths and tags in place while grouping by them, so they show sorted.
    if (groupBy.paths || groupBy.tags) snapshots = snapshots.map((e) => withSortedLists(e, groupBy));
    return grouped
      ? { key: { hostname: g.key.hostname, paths: g.key.paths && [...g.key.paths], tags: g.key.tags && [...g.key.tags] }, snapshots }
      : { snapshots };
  });
}

function newestFirst(list: readonly SnapshotEntry[]): SnapshotEntry[] {
  return [...list].sort((a, b) => (a.snapshot.time > b.snapshot.time ? -1 : a.snapshot.time < b.snapshot.time ? 1 : 0));
}

/** The first `limit` of each host and sorted path list, from a list sorted newest first. */
function newestPerHostAndPaths(list: readonly SnapshotEntry[], limit: number): SnapshotEntry[] {
  const seen = new Map<string, number>();
  return list.filter((s) => {
    const key = JSON.stringify([s.snapshot.hostname ?? '', sortedGoStrings(s.snapshot.paths).join('|')]);
    const n = seen.get(key) ?? 0;
    if (n >= limit) return false;
    seen.set(key, n + 1);
    return true;
  });
}

function withSortedLists(e: SnapshotEntry, by: GroupBy): SnapshotEntry {
  const snapshot = { ...e.snapshot };
  if (by.paths) snapshot.paths = sortedGoStrings(snapshot.paths);
  if (by.tags && snapshot.tags) snapshot.tags = sortedGoStrings(snapshot.tags);
  return { ...e, snapshot };
}
