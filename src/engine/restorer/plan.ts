/**
 * Planning a restore: walk the snapshot's trees from the root (only into directories that
 * the include patterns can reach), check every node (safe and unique names, well-formed
 * dirs and files, a known blob for every content entry, bounded sizes), and list what to
 * create, in pre-order so that every parent comes before its children. Nothing is
 * written while planning: a hostile or damaged tree fails the restore before the first
 * byte lands in the target.
 */
import type { CallOptions } from '../storage/backend.ts';
import { integrityError, throwIfAborted } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { plaintextLength, type BlobLocation } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { compileIncludes, type IncludeMatcher } from './include.ts';
import { MAX_BLOB_PLAINTEXT_BYTES, MAX_BLOB_STORED_BYTES, MAX_PLANNED_NODES, MAX_TREE_DEPTH } from './limits.ts';
import { TreeLoader } from './tree-loader.ts';

interface PlannedBase {
  /** The node's absolute path in the snapshot ("/srv/app/a.txt"), for messages. */
  readonly location: string;
  /** The path below the target: raw name bytes joined with "/". */
  readonly relPath: Buffer;
  readonly node: TreeNode;
}

export interface PlannedDir extends PlannedBase {
  readonly kind: 'dir';
}

/** One entry of a file's content list, placed at its offset in the file. */
export interface ContentBlob {
  readonly id: Id;
  readonly loc: BlobLocation;
  /** Where the blob's plaintext goes in the file. */
  readonly offset: number;
  /** Plaintext length, from the index. */
  readonly length: number;
}

export interface PlannedFile extends PlannedBase {
  readonly kind: 'file';
  readonly blobs: readonly ContentBlob[];
  /** The sum of the blobs' plaintext lengths: the restored file's size. */
  readonly sizeBytes: number;
  /** Content blobs that are not in the index: the file cannot be restored. */
  readonly missingBlobs: readonly Id[];
  /** Set when this node is a further hard link to a file restored earlier. */
  readonly linkTo?: PlannedFile;
}

export interface PlannedSymlink extends PlannedBase {
  readonly kind: 'symlink';
  readonly target: string;
}

export interface PlannedFifo extends PlannedBase {
  readonly kind: 'fifo';
}

export type PlannedEntry = PlannedDir | PlannedFile | PlannedSymlink | PlannedFifo;

export interface SkippedEntry {
  readonly location: string;
  readonly type: string;
  readonly reason: string;
}

export interface RestorePlan {
  readonly snapshot: SnapshotEntry;
  /** What to create, parents before children. */
  readonly entries: readonly PlannedEntry[];
  readonly fileCount: number;
  readonly dirCount: number;
  /** Bytes of file content to write (hard links counted once). */
  readonly totalBytes: number;
  /** Nodes left out on purpose: devices, sockets, unknown types. */
  readonly skipped: readonly SkippedEntry[];
  /** Nodes with extended attributes, which Node.js cannot set. */
  readonly nodesWithXattrs: number;
  /**
   * Directories whose tree could not be read: their contents are not in the plan, and a
   * restore that saves everything else still fails naming them.
   */
  readonly unreadable: readonly UnreadableDir[];
}

export interface UnreadableDir {
  /** The directory's path in the snapshot. */
  readonly location: string;
  readonly reason: string;
}

export interface PlanOptions extends CallOptions {
  /** restic-style include patterns; empty restores everything. */
  include?: readonly string[];
  /** Tree pack ranges read at once. @default 4 */
  treeConcurrency?: number;
  /** Refuse snapshots whose walk visits more nodes than this. @default MAX_PLANNED_NODES (20 million) */
  maxNodes?: number;
}

const SKIP_REASONS: Record<string, string> = {
  dev: 'block devices are not restored (Node.js cannot create device nodes)',
  chardev: 'character devices are not restored (Node.js cannot create device nodes)',
  socket: 'sockets are not restored (as restic does not)',
};

const utf8 = new TextDecoder('utf-8', { fatal: false });
const SLASH = Buffer.from('/');

export async function planRestore(repo: Repository, snapshot: SnapshotEntry, opts: PlanOptions = {}): Promise<RestorePlan> {
  const include = compileIncludes(opts.include ?? []);
  const maxNodes = opts.maxNodes ?? MAX_PLANNED_NODES;
  const trees = new TreeLoader(repo, { signal: opts.signal, concurrency: opts.treeConcurrency });
  const root = snapshot.snapshot.tree;
  const rootSelected = include.matches('/');
  await loadNeededTrees(trees, include, root, rootSelected, maxNodes, opts.signal);
  const walker = new PlanWalker(repo, include, trees, maxNodes);
  walker.walk(root, '/', Buffer.alloc(0), 0, rootSelected);
  return {
    snapshot,
    entries: walker.entries,
    fileCount: walker.fileCount,
    dirCount: walker.dirCount,
    totalBytes: walker.totalBytes,
    skipped: walker.skipped,
    nodesWithXattrs: walker.nodesWithXattrs,
    unreadable: walker.unreadable,
  };
}

interface LevelItem {
  readonly id: Id;
  readonly location: string;
  readonly selected: boolean;
  readonly depth: number;
}

/**
 * Loads every tree the walk will enter, one directory level at a time, so that each
 * level's trees are read together (tree-loader.ts). Below a selected directory the walk
 * does not depend on paths, so each such tree is expanded once however often it is used.
 */
async function loadNeededTrees(
  trees: TreeLoader,
  include: IncludeMatcher,
  root: Id,
  rootSelected: boolean,
  maxNodes: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let level: LevelItem[] = [{ id: root, location: '/', selected: rootSelected, depth: 0 }];
  const expandedSelected = new Set<Id>();
  let visited = 0;
  while (level.length > 0) {
    throwIfAborted(signal);
    await trees.loadAll(level.map((item) => ({ id: item.id, where: item.location })));
    const next: LevelItem[] = [];
    for (const item of level) {
      if (item.selected) {
        if (expandedSelected.has(item.id)) continue;
        expandedSelected.add(item.id);
      }
      if (trees.failure(item.id) !== undefined) continue;
      const nodes = trees.get(item.id);
      if ((visited += nodes.length) > maxNodes) throw tooManyNodes(maxNodes);
      for (const node of nodes) {
        if (node.type !== 'dir') continue;
        const location = childLocation(item.location, node.name);
        const selected = item.selected || include.matches(location);
        if (!selected && !include.childMayMatch(location)) continue;
        if (item.depth + 1 > MAX_TREE_DEPTH) throw tooDeep(location);
        next.push({ id: dirSubtree(node, item.id, location), location, selected, depth: item.depth + 1 });
      }
    }
    level = next;
  }
}

function childLocation(parent: string, name: Uint8Array): string {
  return (parent === '/' ? '/' : `${parent}/`) + utf8.decode(name);
}

function tooManyNodes(maxNodes: number) {
  return integrityError(`the snapshot's trees describe more than ${maxNodes} nodes; refusing to restore it`);
}

function tooDeep(location: string) {
  return integrityError(`the snapshot's directories nest deeper than ${MAX_TREE_DEPTH} levels at ${location}`);
}

class PlanWalker {
  readonly entries: PlannedEntry[] = [];
  readonly skipped: SkippedEntry[] = [];
  readonly unreadable: UnreadableDir[] = [];
  fileCount = 0;
  dirCount = 0;
  totalBytes = 0;
  nodesWithXattrs = 0;
  #nodes = 0;
  readonly #hardlinks = new Map<string, PlannedFile>();
  readonly #repo: Repository;
  readonly #include: IncludeMatcher;
  readonly #trees: TreeLoader;
  readonly #maxNodes: number;

  constructor(repo: Repository, include: IncludeMatcher, trees: TreeLoader, maxNodes: number) {
    this.#repo = repo;
    this.#include = include;
    this.#trees = trees;
    this.#maxNodes = maxNodes;
  }

  /** Plans the children of one directory (its tree already loaded); `selected`: the directory itself matched. */
  walk(treeId: Id, location: string, relPath: Buffer, depth: number, selected: boolean): void {
    if (depth > MAX_TREE_DEPTH) throw tooDeep(location);
    const failure = this.#trees.failure(treeId);
    if (failure !== undefined) {
      // Only what the walk would have entered: an excluded directory's damage is not this restore's.
      if (selected || this.#include.childMayMatch(location)) this.unreadable.push({ location, reason: failure });
      return;
    }
    const nodes = this.#trees.get(treeId);
    if ((this.#nodes += nodes.length) > this.#maxNodes) throw tooManyNodes(this.#maxNodes);
    for (const node of nodes) {
      const name = Buffer.from(node.name.buffer, node.name.byteOffset, node.name.byteLength);
      const nodeLocation = childLocation(location, name);
      const nodeRel = relPath.length === 0 ? Buffer.from(name) : Buffer.concat([relPath, SLASH, name]);
      const nodeSelected = selected || this.#include.matches(nodeLocation);
      if (node.type === 'dir') {
        if (!nodeSelected && !this.#include.childMayMatch(nodeLocation)) continue;
        const mark = this.entries.length;
        this.entries.push({ kind: 'dir', location: nodeLocation, relPath: nodeRel, node });
        this.walk(dirSubtree(node, treeId, nodeLocation), nodeLocation, nodeRel, depth + 1, nodeSelected);
        // A directory that did not match stays only as the parent of something that did.
        if (!nodeSelected && this.entries.length === mark + 1) this.entries.pop();
        else this.#countDir(node);
      } else if (nodeSelected) {
        this.#planLeaf(node, nodeLocation, nodeRel, treeId);
      }
    }
  }

  #countDir(node: TreeNode): void {
    this.dirCount++;
    if (node.extendedAttributes?.length) this.nodesWithXattrs++;
  }

  #planLeaf(node: TreeNode, location: string, relPath: Buffer, treeId: Id): void {
    const base = { location, relPath, node };
    if (node.extendedAttributes?.length) this.nodesWithXattrs++;
    switch (node.type) {
      case 'file':
        this.#planFile(base, treeId);
        return;
      case 'symlink': {
        const target = node.linktarget ?? '';
        if (target.includes('\0')) throw integrityError(`tree ${treeId}: symlink ${location} has a target containing a NUL byte; refusing to restore it`);
        this.entries.push({ kind: 'symlink', ...base, target });
        return;
      }
      case 'fifo':
        this.entries.push({ kind: 'fifo', ...base });
        return;
      default:
        this.skipped.push({ location, type: node.type, reason: SKIP_REASONS[node.type] ?? `unknown node type '${node.type}'` });
    }
  }

  #planFile(base: PlannedBase, treeId: Id): void {
    const { node, location } = base;
    if (node.content === null) throw integrityError(`tree ${treeId}: file ${location} has no content list (null); refusing to restore it`);
    const linkKey = node.links !== undefined && node.links > 1n && node.inode !== undefined ? `${node.deviceId ?? 0n}:${node.inode}` : undefined;
    const linked = linkKey !== undefined ? this.#hardlinks.get(linkKey) : undefined;
    // Only a node with the very same content is restored as a link: two nodes that merely
    // share an inode number (a hostile or inconsistent tree) each get their own content.
    const first = linked && sameContent(linked.node.content, node.content) ? linked : undefined;
    this.fileCount++;
    if (first) {
      this.entries.push({ kind: 'file', ...base, blobs: first.blobs, sizeBytes: first.sizeBytes, missingBlobs: first.missingBlobs, linkTo: first });
      return;
    }
    const blobs: ContentBlob[] = [];
    const missing: Id[] = [];
    let offset = 0;
    for (const id of node.content) {
      const loc = this.#repo.index.lookup('data', id);
      if (!loc) {
        missing.push(id);
        continue;
      }
      const length = plaintextLength(loc);
      if (length < 0 || length > MAX_BLOB_PLAINTEXT_BYTES || loc.length < 32 || loc.length > MAX_BLOB_STORED_BYTES) {
        throw integrityError(`data blob ${id} of ${location} is listed in the index (pack ${loc.packId}) with an implausible size (${length} bytes)`);
      }
      blobs.push({ id, loc, offset, length });
      offset += length;
    }
    if (!Number.isSafeInteger(offset)) throw integrityError(`file ${location} would be larger than ${Number.MAX_SAFE_INTEGER} bytes`);
    const planned: PlannedFile = { kind: 'file', ...base, blobs, sizeBytes: offset, missingBlobs: missing };
    if (linkKey !== undefined) this.#hardlinks.set(linkKey, planned);
    this.entries.push(planned);
    if (missing.length === 0) this.totalBytes += offset;
  }
}

function dirSubtree(node: TreeNode, treeId: Id, location: string): Id {
  if (node.subtree === undefined) throw integrityError(`tree ${treeId}: directory ${location} has no subtree; refusing to restore it`);
  return node.subtree;
}

function sameContent(a: readonly Id[] | null, b: readonly Id[] | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((id, i) => id === b[i]);
}
