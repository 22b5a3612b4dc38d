/**
 * The structure check (restic's `Structure`): from every snapshot's root, every reachable
 * tree must be in the index as a tree blob, load, verify and decode; every node must
 * follow restic 0.14's rules (restic-format.md 7.2); every file's content must be in the
 * index as data blobs. Each tree is checked once however many snapshots share it.
 */
import { errorMessage } from '../errors.ts';
import { compareNames, NODE_TYPES, quoteName, type TreeNode } from '../format/index.ts';
import { NULL_ID, type Id } from '../format/id.ts';
import type { MasterIndex } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { rethrowIfAborted } from './abort.ts';
import type { FindingList } from './findings.ts';
import { loadTreeVia } from './tree-loader.ts';
import { drainQueue } from './work-queue.ts';

export interface StructureOptions {
  signal?: AbortSignal;
  /** Trees loaded at once. */
  concurrency: number;
  /** Called after each tree. */
  onTree?: () => void;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(NODE_TYPES);
const SLASH = 0x2f;
const NUL = 0x00;

/** Walks every snapshot's trees; returns the number of distinct trees checked. */
export async function checkStructure(
  repo: Repository,
  index: MasterIndex,
  snapshots: readonly SnapshotEntry[],
  findings: FindingList,
  opts: StructureOptions,
): Promise<number> {
  const visited = new Set<Id>();
  const roots: Id[] = [];
  for (const s of snapshots) {
    if (visited.has(s.snapshot.tree)) continue;
    visited.add(s.snapshot.tree);
    roots.push(s.snapshot.tree);
  }
  // A missing root is reported with its snapshot; a root shared by several names the first.
  const snapshotOfRoot = new Map<Id, Id>();
  for (const s of snapshots) if (!snapshotOfRoot.has(s.snapshot.tree)) snapshotOfRoot.set(s.snapshot.tree, s.id);

  let checked = 0;
  await drainQueue(roots, opts.concurrency, async (treeId, push) => {
    const nodes = await loadTree(repo, index, treeId, snapshotOfRoot.get(treeId), findings, opts.signal);
    checked++;
    opts.onTree?.();
    if (!nodes) return;
    checkNodes(index, treeId, nodes, findings);
    for (const n of nodes) {
      if (n.type === 'dir' && n.subtree !== undefined && n.subtree !== NULL_ID && !visited.has(n.subtree)) {
        visited.add(n.subtree);
        push(n.subtree);
      }
    }
  });
  return checked;
}

async function loadTree(repo: Repository, index: MasterIndex, id: Id, snapshotId: Id | undefined, findings: FindingList, signal?: AbortSignal): Promise<TreeNode[] | undefined> {
  const where = snapshotId ? { snapshotId } : {};
  if (!index.has('tree', id)) {
    const asData = index.has('data', id) ? ' (it is there as a data blob)' : '';
    const f = findings.error('tree-missing', `tree ${id} is not in the index${asData}${snapshotId ? `; it is the root of snapshot ${snapshotId}` : ''}`, {
      blobId: id,
      blobType: 'tree',
      ...where,
    });
    findings.suspectBlob('tree', id, f);
    return undefined;
  }
  try {
    return await loadTreeVia(repo, index, id, signal);
  } catch (e) {
    rethrowIfAborted(e, signal);
    const loc = index.lookup('tree', id);
    const f = findings.error('tree-unreadable', `tree ${id} cannot be loaded: ${errorMessage(e)}`, {
      blobId: id,
      blobType: 'tree',
      ...(loc ? { packId: loc.packId } : {}),
      ...where,
    });
    findings.suspectBlob('tree', id, f);
    return undefined;
  }
}

/** restic 0.14's checkTree rules, plus names that no file system can produce. */
function checkNodes(index: MasterIndex, treeId: Id, nodes: readonly TreeNode[], findings: FindingList): void {
  const invalid = (n: TreeNode, what: string) => {
    const f = findings.error('node-invalid', `tree ${treeId}: node "${quoteName(n.name)}" ${what}`, { treeId });
    findings.suspectNode(treeId, n.name, f);
  };
  let unsorted = false;
  nodes.forEach((n, i) => {
    if (i > 0 && compareNames(nodes[i - 1]!.name, n.name) >= 0) unsorted = true;
    if (n.name.length === 0) invalid(n, 'has an empty name');
    else if (isUnsafeName(n.name)) invalid(n, 'has a name that is not a single path component (".", "..", or containing "/" or NUL)');
    if (!KNOWN_TYPES.has(n.type)) {
      invalid(n, `has the unknown type ${JSON.stringify(n.type)}`);
      return;
    }
    if (n.type === 'file') {
      if (n.content === null) {
        invalid(n, 'is a file with a nil blob list (content: null)');
        return;
      }
      const missing: Id[] = [];
      let asTree = 0;
      n.content.forEach((id, b) => {
        if (id === NULL_ID) invalid(n, `has a null id as data blob ${b}`);
        else if (!index.has('data', id)) {
          missing.push(id);
          if (index.has('tree', id)) asTree++;
        }
      });
      if (missing.length > 0) {
        const note = asTree > 0 ? ` (${asTree} of them only as tree blobs)` : '';
        const f = findings.error(
          'blob-missing',
          `tree ${treeId}: file "${quoteName(n.name)}": ${missing.length} of its ${n.content.length} data blobs are not in the index${note}, first ${missing[0]}`,
          { treeId, blobId: missing[0]!, blobType: 'data' },
        );
        findings.suspectNode(treeId, n.name, f);
      }
    } else if (n.type === 'dir') {
      if (n.subtree === undefined) invalid(n, 'is a dir without a subtree');
      else if (n.subtree === NULL_ID) invalid(n, 'is a dir whose subtree id is null');
    }
  });
  if (unsorted) {
    findings.hint('tree-unsorted', `tree ${treeId}: its nodes are not sorted by name or a name repeats (restic writes them sorted and unique)`, { treeId });
  }
}

function isUnsafeName(name: Uint8Array): boolean {
  if (name.length === 1 && name[0] === 0x2e) return true;
  if (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) return true;
  return name.includes(SLASH) || name.includes(NUL);
}
