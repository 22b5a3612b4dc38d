/**
 * Walking a snapshot's tree the way restic 0.14's walker does, so that `ls`, `find` and
 * `dump` visit the same nodes in the same order as restic: depth first, each directory's
 * entries sorted by raw name bytes, a directory visited before what it holds.
 *
 * A visitor can skip a directory (`skip`), or the rest of the current directory when
 * it returns `skip` for a non-directory. It can also mark a node `ignore`d: a subtree
 * whose nodes were all ignored goes into `ignoreTrees` and is not entered again (later
 * in the walk, or in the next snapshot when the set is shared), restic's shortcut that
 * makes `find` over many snapshots cheap. Trees are loaded and verified one at a time,
 * so memory stays at one tree per level of depth.
 */
import { integrityError, throwIfAborted } from '../errors.ts';
import { compareNames, type TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { Repository } from '../repository/repository.ts';

export interface VisitResult {
  /** Do not visit this node again (see the file comment). */
  ignore?: boolean;
  /** A directory: do not enter it. Anything else: skip the rest of its directory. */
  skip?: boolean;
}

/** Called for every node: the id of the tree holding it, its absolute path, the node. */
export type Visitor = (parentTree: Id, path: string, node: TreeNode) => VisitResult | void | Promise<VisitResult | void>;

export interface WalkOptions {
  signal?: AbortSignal;
  /** Trees not to enter; shared between walks to carry restic's shortcut across snapshots. */
  ignoreTrees?: Set<Id>;
}

const utf8 = new TextDecoder('utf-8');

/** A node's name as text (invalid UTF-8 becomes U+FFFD, as Go's JSON encoder writes it). */
export function nodeName(node: TreeNode): string {
  return utf8.decode(node.name);
}

/** `/` + name, or `dir/name`: restic's path.Join for names that are never `.`, `..` or contain `/`. */
export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Walks the tree `root` (a snapshot's tree, or any subtree with `prefix` as its path). */
export async function walkTree(repo: Repository, root: Id, visit: Visitor, opts: WalkOptions & { prefix?: string } = {}): Promise<void> {
  const nodes = await repo.loadTree(root, { signal: opts.signal });
  await walkNodes(repo, opts.prefix ?? '/', root, nodes, visit, opts.ignoreTrees ?? new Set(), opts.signal);
}

/** Returns whether every node of this tree was ignored (then the caller may ignore the tree). */
async function walkNodes(
  repo: Repository,
  prefix: string,
  treeId: Id,
  nodes: readonly TreeNode[],
  visit: Visitor,
  ignoreTrees: Set<Id>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  let allIgnored = nodes.length > 0;
  const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
  for (const node of sorted) {
    throwIfAborted(signal);
    const path = childPath(prefix, nodeName(node));
    if (node.type === '') throw integrityError(`tree ${treeId}: node ${JSON.stringify(path)} has no type`);
    if (node.type !== 'dir') {
      const r = (await visit(treeId, path, node)) ?? {};
      if (r.skip) return allIgnored;
      if (!r.ignore) allIgnored = false;
      continue;
    }
    const subtree = node.subtree;
    if (subtree === undefined) throw integrityError(`tree ${treeId}: directory ${JSON.stringify(path)} has no subtree`);
    if (ignoreTrees.has(subtree)) continue;
    const r = (await visit(treeId, path, node)) ?? {};
    if (r.ignore) ignoreTrees.add(subtree);
    if (r.skip) continue;
    if (!r.ignore) allIgnored = false;
    const children = await repo.loadTree(subtree, { signal });
    if (await walkNodes(repo, path, subtree, children, visit, ignoreTrees, signal)) ignoreTrees.add(subtree);
    else allIgnored = false;
  }
  return allIgnored;
}
