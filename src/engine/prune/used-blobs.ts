/**
 * The blobs that snapshots still use: every tree reachable from a snapshot's root and the
 * content of every file in them. Anything a snapshot needs that cannot be found stops the
 * prune: deleting data from a repository that is already damaged could lose more.
 */
import { drainQueue } from '../checker/work-queue.ts';
import { loadTreeVia } from '../checker/tree-loader.ts';
import { ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError, throwIfAborted } from '../errors.ts';
import { quoteName } from '../format/index.ts';
import { NULL_ID, type Id } from '../format/id.ts';
import type { BlobKey, MasterIndex } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';

export interface UsedBlobsOptions {
  concurrency: number;
  signal?: AbortSignal;
  onTree?: () => void;
  /** What the error messages say happened when data is missing. @default prune's "Prune stopped before changing anything" */
  stopped?: string;
}

/**
 * The used blobs, as the index's keys: one number per (type, id) however many snapshots
 * share it, so that the set holds no copy of the id.
 */
export async function findUsedBlobs(
  repo: Repository,
  index: MasterIndex,
  snapshots: readonly SnapshotEntry[],
  opts: UsedBlobsOptions,
): Promise<Set<BlobKey>> {
  const used = new Set<BlobKey>();
  const stopped = opts.stopped ?? PRUNE_STOPPED;
  const roots: { tree: Id; snapshot: Id }[] = [];
  for (const s of snapshots) {
    const loc = index.key('tree', s.snapshot.tree);
    if (loc === undefined) throw missing(`the root tree ${s.snapshot.tree} of snapshot ${s.id}`, stopped);
    if (used.has(loc)) continue;
    used.add(loc);
    roots.push({ tree: s.snapshot.tree, snapshot: s.id });
  }
  await drainQueue(roots, opts.concurrency, async (item, push) => {
    throwIfAborted(opts.signal);
    let nodes;
    try {
      nodes = await loadTreeVia(repo, index, item.tree, opts.signal);
    } catch (e) {
      if (isChunkvaultError(e, ErrorCode.Aborted)) throw e;
      throw new ChunkvaultError(
        ErrorCode.Integrity,
        `tree ${item.tree} (in snapshot ${item.snapshot}) cannot be read: ${errorMessage(e)}. ${stopped}; run check`,
        { cause: e },
      );
    }
    opts.onTree?.();
    for (const n of nodes) {
      if (n.type === 'file') {
        for (const id of n.content ?? []) {
          const loc = index.key('data', id);
          if (loc === undefined) throw missing(`data blob ${id} of file "${quoteName(n.name)}" in tree ${item.tree} (snapshot ${item.snapshot})`, stopped);
          used.add(loc);
        }
      } else if (n.type === 'dir' && n.subtree !== undefined && n.subtree !== NULL_ID) {
        const loc = index.key('tree', n.subtree);
        if (loc === undefined) throw missing(`tree ${n.subtree} below tree ${item.tree} (snapshot ${item.snapshot})`, stopped);
        if (used.has(loc)) continue;
        used.add(loc);
        push({ tree: n.subtree, snapshot: item.snapshot });
      }
    }
  });
  return used;
}

const PRUNE_STOPPED = 'Prune stopped before changing anything';

function missing(what: string, stopped: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.Integrity, `${what} is not in the index: data a snapshot needs is missing. ${stopped}; run check to see what is affected`);
}
