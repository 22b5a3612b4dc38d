/**
 * Names the files that damage affects: after the checks, each damaged blob, tree or node
 * is traced to the paths that use it in every snapshot. Runs only when something is
 * damaged. Trees are loaded once more: first to learn which subtrees lead to damage (memo
 * per tree id, so shared subtrees cost one load), then only those are walked per snapshot.
 */
import { Semaphore } from '../support/concurrency.ts';
import { quoteName, type TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { MasterIndex } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { rethrowIfAborted } from './abort.ts';
import type { FindingList } from './findings.ts';
import { loadTreeVia } from './tree-loader.ts';

export interface AttributionOptions {
  signal?: AbortSignal;
  /** Trees loaded at once. */
  concurrency: number;
}

export async function attributePaths(
  repo: Repository,
  index: MasterIndex,
  snapshots: readonly SnapshotEntry[],
  findings: FindingList,
  opts: AttributionOptions,
): Promise<void> {
  const { data, tree } = findings.suspectBlobs;
  const loads = new Semaphore(Math.max(1, opts.concurrency));
  const damaged = new Map<Id, Promise<boolean>>();
  /** Nodes of the trees that lead to damage, kept for the second pass (bounded by the damage). */
  const nodesOf = new Map<Id, TreeNode[]>();

  const leadsToDamage = (id: Id): Promise<boolean> => {
    let p = damaged.get(id);
    if (!p) {
      p = evaluate(id);
      damaged.set(id, p);
    }
    return p;
  };
  const evaluate = async (id: Id): Promise<boolean> => {
    if (tree.has(id) || findings.suspectNodes.has(id)) {
      await keepNodes(id);
      return true;
    }
    const nodes = await load(id);
    if (!nodes) return false; // unreadable without a finding of its own: nothing to name
    let found = false;
    const subtrees: Promise<boolean>[] = [];
    for (const n of nodes) {
      if (n.type === 'file' && n.content?.some((b) => data.has(b))) found = true;
      else if (n.type === 'dir' && n.subtree !== undefined) subtrees.push(leadsToDamage(n.subtree));
    }
    if ((await Promise.all(subtrees)).some(Boolean)) found = true;
    if (found) nodesOf.set(id, nodes);
    return found;
  };
  const load = async (id: Id): Promise<TreeNode[] | undefined> => {
    if (!index.has('tree', id)) return undefined;
    await loads.acquire();
    try {
      return await loadTreeVia(repo, index, id, opts.signal);
    } catch (e) {
      rethrowIfAborted(e, opts.signal);
      return undefined;
    } finally {
      loads.release();
    }
  };
  const keepNodes = async (id: Id) => {
    const nodes = await load(id);
    if (nodes) nodesOf.set(id, nodes);
  };

  const walk = async (snapshotId: Id, id: Id, path: string): Promise<void> => {
    for (const f of tree.get(id) ?? []) findings.affects(f, snapshotId, path || '/');
    for (const { name, finding } of findings.suspectNodes.get(id) ?? []) findings.affects(finding, snapshotId, `${path}/${quoteName(name)}`);
    const nodes = nodesOf.get(id);
    if (!nodes) return;
    for (const n of nodes) {
      const child = `${path}/${quoteName(n.name)}`;
      if (n.type === 'file') {
        for (const b of n.content ?? []) for (const f of data.get(b) ?? []) findings.affects(f, snapshotId, child);
      } else if (n.type === 'dir' && n.subtree !== undefined && (await leadsToDamage(n.subtree))) {
        await walk(snapshotId, n.subtree, child);
      }
    }
  };

  for (const s of snapshots) {
    if (await leadsToDamage(s.snapshot.tree)) await walk(s.id, s.snapshot.tree, '');
  }
}
