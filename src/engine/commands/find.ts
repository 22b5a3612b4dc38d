/**
 * restic 0.14's `find`: nodes whose path matches any of the patterns, in every snapshot
 * that passes the filter (or in the snapshots named), optionally only those modified
 * within [oldest, newest]. Patterns have restic's meaning (see restorer/include.ts): a
 * pattern without a leading `/` matches at any depth, `*` stays within a component,
 * `**` spans components. With `ignoreCase` patterns and paths are compared lowercased.
 * A subtree in which nothing matched is not searched again, also in later snapshots
 * (restic's shortcut, which gives the same hits as searching it again).
 */
import type { ReadOperationOptions } from '../operation.ts';
import { invalidInput } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { withReadLock } from '../repository/lock.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { compileIncludes } from '../restorer/include.ts';
import { childRawPath, walkTree } from '../browse/walker.ts';
import { findSnapshot, listSnapshots, type SnapshotFilter } from './find-snapshot.ts';

export interface FindOptions extends Omit<ReadOperationOptions, 'onProgress' | 'progressIntervalMs'> {
  patterns: readonly string[];
  /** @default false */
  ignoreCase?: boolean;
  /** Snapshot ids, prefixes or 'latest' to search; none searches every snapshot that passes `filter`. */
  snapshots?: readonly string[];
  filter?: SnapshotFilter;
  /** Only nodes modified at or after this time (ns since the epoch). */
  oldest?: bigint;
  /** Only nodes modified at or before this time. */
  newest?: bigint;
  /** Called before the first match of each snapshot that has any. */
  onSnapshot?: (snapshot: SnapshotEntry) => void;
  /** `path` has names decoded as UTF-8; `rawPath` is the same path in the snapshot's raw bytes. */
  onMatch: (snapshot: SnapshotEntry, path: string, node: TreeNode, rawPath: Uint8Array) => void;
}

export interface FindResult {
  snapshotsSearched: number;
  matches: number;
}

export async function find(repo: Repository, opts: FindOptions): Promise<FindResult> {
  const patterns = opts.patterns.filter((p) => p.trim() !== '');
  if (patterns.length === 0) throw invalidInput('find needs at least one pattern');
  const matcher = compileIncludes(opts.ignoreCase ? patterns.map((p) => p.toLowerCase()) : patterns, 'find');
  const { signal } = opts;
  return withReadLock(repo, false, opts, async () => {
    await repo.loadIndex({ signal });
    const snapshots = await chooseSnapshots(repo, opts);
    const ignoreTrees = new Set<Id>();
    let matches = 0;
    for (const snapshot of snapshots) {
      let first = true;
      await walkTree(
        repo,
        snapshot.snapshot.tree,
        (_tree, path, node, rawDir) => {
          const compared = opts.ignoreCase ? path.toLowerCase() : path;
          // A node that cannot matter may be ignored; a directory stays interesting while
          // something below it could match.
          const childMayMatch = node.type === 'dir' && matcher.childMayMatch(compared);
          const uninteresting = { ignore: !childMayMatch, skip: node.type === 'dir' && !childMayMatch };
          if (!matcher.matches(compared)) return uninteresting;
          if (opts.oldest !== undefined && node.mtime < opts.oldest) return uninteresting;
          if (opts.newest !== undefined && node.mtime > opts.newest) return uninteresting;
          if (first) opts.onSnapshot?.(snapshot);
          first = false;
          matches++;
          opts.onMatch(snapshot, path, node, childRawPath(rawDir, node.name));
          return;
        },
        { signal, ignoreTrees },
      );
    }
    return { snapshotsSearched: snapshots.length, matches };
  });
}

/** The snapshots named (each once, in the order given), or all that pass the filter, oldest first. */
async function chooseSnapshots(repo: Repository, opts: FindOptions): Promise<SnapshotEntry[]> {
  if (!opts.snapshots?.length) return listSnapshots(repo, opts.filter ?? {}, { signal: opts.signal });
  const chosen = new Map<Id, SnapshotEntry>();
  for (const ref of opts.snapshots) {
    const s = await findSnapshot(repo, ref, opts.filter ?? {}, { signal: opts.signal });
    if (!chosen.has(s.id)) chosen.set(s.id, s);
  }
  return [...chosen.values()];
}
