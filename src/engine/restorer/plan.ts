/**
 * Planning a restore: walk the snapshot's trees from the root (only into directories that
 * the include patterns can reach), check every node (safe and unique names, well-formed
 * dirs and files, a known blob for every content entry, bounded sizes), and list what to
 * create, in pre-order so that every parent comes before its children. Nothing is
 * written while planning: a hostile or damaged tree fails the restore before the first
 * byte lands in the target.
 */
import type { CallOptions } from '../../backends/backend.ts';
import { Semaphore } from '../concurrency.ts';
import { integrityError, isChunkvaultError, throwIfAborted } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../id.ts';
import { plaintextLength, type BlobLocation } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { compileIncludes, type IncludeMatcher } from './include.ts';
import { MAX_BLOB_PLAINTEXT_BYTES, MAX_BLOB_STORED_BYTES, MAX_PLANNED_NODES, MAX_TREE_DEPTH } from './limits.ts';
import { checkTreeNames } from './node-names.ts';

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
}

export interface PlanOptions extends CallOptions {
  /** restic-style include patterns; empty restores everything. */
  include?: readonly string[];
  /** Trees loaded at once. @default 16 */
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
  const trees = new TreeLoader(repo, opts.treeConcurrency ?? 16, opts.signal);
  const walker = new PlanWalker(repo, include, trees, opts.maxNodes ?? MAX_PLANNED_NODES, opts.signal);
  await walker.walk(snapshot.snapshot.tree, '/', Buffer.alloc(0), 0, include.matches('/'));
  return {
    snapshot,
    entries: walker.entries,
    fileCount: walker.fileCount,
    dirCount: walker.dirCount,
    totalBytes: walker.totalBytes,
    skipped: walker.skipped,
    nodesWithXattrs: walker.nodesWithXattrs,
  };
}

/** Loads trees at most `concurrency` at a time, each once, checking size and names. */
class TreeLoader {
  readonly #repo: Repository;
  readonly #slots: Semaphore;
  readonly #signal: AbortSignal | undefined;
  readonly #cache = new Map<Id, Promise<TreeNode[]>>();

  constructor(repo: Repository, concurrency: number, signal: AbortSignal | undefined) {
    this.#repo = repo;
    this.#slots = new Semaphore(concurrency);
    this.#signal = signal;
  }

  load(id: Id, where: string): Promise<TreeNode[]> {
    let p = this.#cache.get(id);
    if (!p) {
      p = this.#load(id, where);
      // Prefetched trees may fail before anyone waits for them; the waiter sees the error.
      p.catch(() => {});
      this.#cache.set(id, p);
    }
    return p;
  }

  async #load(id: Id, where: string): Promise<TreeNode[]> {
    await this.#slots.acquire();
    try {
      throwIfAborted(this.#signal);
      const loc = this.#repo.index.lookup('tree', id);
      if (!loc) throw integrityError(`tree ${id} (directory ${where}) is not in the index`);
      if (plaintextLength(loc) > MAX_BLOB_PLAINTEXT_BYTES || loc.length > MAX_BLOB_STORED_BYTES) {
        throw integrityError(`tree ${id} (directory ${where}) is listed in the index with an implausible size (${plaintextLength(loc)} bytes)`);
      }
      let nodes: TreeNode[];
      try {
        nodes = await this.#repo.loadTree(id, { signal: this.#signal });
      } catch (e) {
        if (isChunkvaultError(e) && e.code !== 'ERR_INTEGRITY') throw e;
        throw integrityError(`tree ${id} (directory ${where}) cannot be read from pack ${loc.packId}: ${(e as Error).message}`, e);
      }
      checkTreeNames(id, where, nodes);
      return nodes;
    } finally {
      this.#slots.release();
    }
  }
}

class PlanWalker {
  readonly entries: PlannedEntry[] = [];
  readonly skipped: SkippedEntry[] = [];
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
  readonly #signal: AbortSignal | undefined;

  constructor(repo: Repository, include: IncludeMatcher, trees: TreeLoader, maxNodes: number, signal: AbortSignal | undefined) {
    this.#repo = repo;
    this.#include = include;
    this.#trees = trees;
    this.#maxNodes = maxNodes;
    this.#signal = signal;
  }

  /** Plans the children of one directory; `selected` means the directory itself matched. */
  async walk(treeId: Id, location: string, relPath: Buffer, depth: number, selected: boolean): Promise<void> {
    throwIfAborted(this.#signal);
    if (depth > MAX_TREE_DEPTH) throw integrityError(`the snapshot's directories nest deeper than ${MAX_TREE_DEPTH} levels at ${location}`);
    const nodes = await this.#trees.load(treeId, location);
    const children = nodes.map((node) => {
      const name = Buffer.from(node.name.buffer, node.name.byteOffset, node.name.byteLength);
      const childLocation = (location === '/' ? '/' : `${location}/`) + utf8.decode(name);
      const childRel = relPath.length === 0 ? Buffer.from(name) : Buffer.concat([relPath, SLASH, name]);
      const childSelected = selected || this.#include.matches(childLocation);
      const enter = node.type === 'dir' && (childSelected || this.#include.childMayMatch(childLocation));
      return { node, location: childLocation, relPath: childRel, selected: childSelected, enter };
    });
    if ((this.#nodes += nodes.length) > this.#maxNodes) {
      throw integrityError(`the snapshot's trees describe more than ${this.#maxNodes} nodes; refusing to restore it`);
    }
    // Start loading the subtrees of this level together; they are walked one by one.
    for (const c of children) if (c.enter) this.#trees.load(dirSubtree(c.node, treeId, c.location), c.location);
    for (const c of children) {
      if (c.node.type === 'dir') {
        if (!c.enter) continue;
        const mark = this.entries.length;
        this.entries.push({ kind: 'dir', location: c.location, relPath: c.relPath, node: c.node });
        await this.walk(dirSubtree(c.node, treeId, c.location), c.location, c.relPath, depth + 1, c.selected);
        // A directory that did not match stays only as the parent of something that did.
        if (!c.selected && this.entries.length === mark + 1) this.entries.pop();
        else this.#countDir(c.node);
      } else if (c.selected) {
        this.#planLeaf(c.node, c.location, c.relPath, treeId);
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
    const first = linkKey !== undefined ? this.#hardlinks.get(linkKey) : undefined;
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
