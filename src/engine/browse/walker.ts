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

/**
 * Called for every node: the id of the tree holding it, its absolute path (names decoded
 * as UTF-8), the node, and the raw bytes of its directory's path (for writers that must
 * keep names that are not UTF-8, as tar does).
 */
export type Visitor = (parentTree: Id, path: string, node: TreeNode, rawDir: Uint8Array) => VisitResult | void | Promise<VisitResult | void>;

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

const SLASH = 0x2f;

/** `dir/name` in raw bytes. */
export function childRawPath(dir: Uint8Array, name: Uint8Array): Uint8Array {
  return dir.length === 1 && dir[0] === SLASH ? Buffer.concat([dir, name]) : Buffer.concat([dir, Buffer.of(SLASH), name]);
}

/**
 * Walks the tree `root`: a snapshot's tree, or any subtree with `prefix` as its path
 * (`rawPrefix`, its raw bytes, when its names may not be UTF-8).
 */
export async function walkTree(repo: Repository, root: Id, visit: Visitor, opts: WalkOptions & { prefix?: string; rawPrefix?: Uint8Array } = {}): Promise<void> {
  const nodes = await repo.loadTree(root, { signal: opts.signal });
  const prefix = opts.prefix ?? '/';
  const walk: Walk = { repo, visit, ignoreTrees: opts.ignoreTrees ?? new Set(), signal: opts.signal };
  await walkNodes(walk, prefix, opts.rawPrefix ?? Buffer.from(prefix), root, nodes);
}

interface Walk {
  readonly repo: Repository;
  readonly visit: Visitor;
  readonly ignoreTrees: Set<Id>;
  readonly signal: AbortSignal | undefined;
}

/** Returns whether every node of this tree was ignored (then the caller may ignore the tree). */
async function walkNodes(w: Walk, prefix: string, rawPrefix: Uint8Array, treeId: Id, nodes: readonly TreeNode[]): Promise<boolean> {
  const { repo, visit, ignoreTrees, signal } = w;
  let allIgnored = nodes.length > 0;
  const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
  for (const node of sorted) {
    throwIfAborted(signal);
    const path = childPath(prefix, nodeName(node));
    if (node.type === '') throw integrityError(`tree ${treeId}: node ${JSON.stringify(path)} has no type`);
    if (node.type !== 'dir') {
      const r = (await visit(treeId, path, node, rawPrefix)) ?? {};
      if (r.skip) return allIgnored;
      if (!r.ignore) allIgnored = false;
      continue;
    }
    const subtree = node.subtree;
    if (subtree === undefined) throw integrityError(`tree ${treeId}: directory ${JSON.stringify(path)} has no subtree`);
    if (ignoreTrees.has(subtree)) continue;
    const r = (await visit(treeId, path, node, rawPrefix)) ?? {};
    if (r.ignore) ignoreTrees.add(subtree);
    if (r.skip) continue;
    if (!r.ignore) allIgnored = false;
    const children = await repo.loadTree(subtree, { signal });
    if (await walkNodes(w, path, childRawPath(rawPrefix, node.name), subtree, children)) ignoreTrees.add(subtree);
    else allIgnored = false;
  }
  return allIgnored;
}
