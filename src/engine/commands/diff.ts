/**
 * The diff operation, restic 0.14's `diff`: what changed from one snapshot to another,
 * walking both trees in name order and reporting each change as it is found ("+" added,
 * "-" removed, "M" content modified, "T" type changed, "U" metadata updated with
 * `metadata`), then what the change added and removed: files, directories, other nodes,
 * and the data and tree blobs only one side uses, with their plaintext bytes.
 *
 * The counting follows restic exactly, quirks included: below an added or removed
 * directory everything is listed and counted; a directory whose type changed is not
 * descended into; a subtree both sides share is skipped but its blobs count as common.
 * A subtree that cannot be read is a warning and the walk goes on, as in restic.
 */
import type { ReadOperationOptions } from '../operation.ts';
import { anySignal, errorMessage, throwIfAborted } from '../errors.ts';
import { compareNames, nameText, type TreeNode } from '../format/index.ts';
import { goPathJoin } from '../format/go-path.ts';
import { nodesEqual, sameContent } from '../format/node-equals.ts';
import type { Id } from '../format/id.ts';
import { withReadLock } from '../repository/lock.ts';
import { plaintextLength, type BlobType } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { TreePrefetcher } from '../repository/tree-prefetcher.ts';
import { findSnapshot } from './find-snapshot.ts';

export interface DiffOptions extends ReadOperationOptions<DiffProgress> {
  /** Also report nodes whose metadata changed ("U"), restic's --metadata. @default false */
  metadata?: boolean;
  /** Called once both references are resolved, before the walk (restic prints "comparing snapshot ..."). */
  onSnapshots?: (from: SnapshotEntry, to: SnapshotEntry) => void;
  /** Called for each change, in restic's order, as the walk finds it. */
  onChange?: (change: DiffChange) => void;
  /** A subtree that could not be read, or a blob missing from the index: restic warns and goes on. */
  onWarning?: (message: string) => void;
}

export interface DiffProgress {
  treesLoaded: number;
  changes: number;
}

export interface DiffChange {
  /** Slash-separated from the snapshot's root; directories end with "/". */
  path: string;
  /** "+", "-", or a combination of "T", "M" and "U" (restic writes e.g. "TU"). */
  modifier: string;
}

/** restic's DiffStat: what one side alone has. */
export interface DiffCounts {
  files: number;
  dirs: number;
  /** Symlinks, devices, fifos, sockets. */
  others: number;
  dataBlobs: number;
  treeBlobs: number;
  /** Plaintext (uncompressed) size of those blobs, as restic's LookupBlobSize gives it. */
  bytes: number;
}

export interface DiffResult {
  from: SnapshotEntry;
  to: SnapshotEntry;
  /** Files present on both sides whose content differs ("M"). */
  changedFiles: number;
  added: DiffCounts;
  removed: DiffCounts;
  /** How many changes were reported. */
  changes: number;
}

/** Blob sets keyed by type and id: restic's BlobSet, which holds blobs the index may lack. */
type BlobSet = Set<string>;
const blobKey = (type: BlobType, id: Id): string => (type === 'tree' ? 't' : 'd') + id;

/**
 * Compares snapshot `fromRef` with `toRef` (each `latest`, a full id or a unique prefix)
 * under a shared lock, as restic does.
 */
export async function diff(repo: Repository, fromRef: string, toRef: string, opts: DiffOptions = {}): Promise<DiffResult> {
  return withReadLock(
    repo,
    false,
    opts,
    async (lost) => {
      const signal = anySignal(opts.signal, lost);
      const from = await findSnapshot(repo, fromRef, {}, { signal });
      const to = await findSnapshot(repo, toRef, {}, { signal });
      opts.onSnapshots?.(from, to);
      await repo.loadIndex({ signal });
      return new Comparer(repo, { ...opts, signal }).run(from, to);
    },
  );
}

class Comparer {
  readonly #repo: Repository;
  readonly #opts: DiffOptions;
  readonly #trees: TreePrefetcher;
  readonly #progress: DiffProgress = { treesLoaded: 0, changes: 0 };
  readonly #before: BlobSet = new Set();
  readonly #after: BlobSet = new Set();
  /** Blobs of subtrees both sides share (not walked). */
  readonly #common: BlobSet = new Set();
  readonly #added = emptyCounts();
  readonly #removed = emptyCounts();
  #changedFiles = 0;

  constructor(repo: Repository, opts: DiffOptions) {
    this.#repo = repo;
    this.#opts = opts;
    this.#trees = new TreePrefetcher(repo, { concurrency: Math.max(2, repo.backend.connections), signal: opts.signal });
  }

  async run(from: SnapshotEntry, to: SnapshotEntry): Promise<DiffResult> {
    const report = () => this.#opts.onProgress?.({ ...this.#progress });
    const timer = this.#opts.onProgress ? setInterval(report, this.#opts.progressIntervalMs ?? 10_000) : undefined;
    timer?.unref();
    try {
      this.#before.add(blobKey('tree', from.snapshot.tree));
      this.#after.add(blobKey('tree', to.snapshot.tree));
      // Unlike the subtrees below them, unreadable root trees end the diff (restic too).
      this.#trees.prefetch([from.snapshot.tree, to.snapshot.tree]);
      await this.#diffTree('/', from.snapshot.tree, to.snapshot.tree);
      const onlyBefore = [...this.#before].filter((k) => !this.#after.has(k) && !this.#common.has(k));
      const onlyAfter = [...this.#after].filter((k) => !this.#before.has(k) && !this.#common.has(k));
      this.#countBlobs(onlyBefore, this.#removed);
      this.#countBlobs(onlyAfter, this.#added);
      report();
      return { from, to, changedFiles: this.#changedFiles, added: this.#added, removed: this.#removed, changes: this.#progress.changes };
    } finally {
      clearInterval(timer);
    }
  }

  async #loadTree(id: Id): Promise<TreeNode[]> {
    throwIfAborted(this.#opts.signal);
    const nodes = await this.#trees.load(id);
    this.#progress.treesLoaded++;
    return nodes;
  }

  #change(path: string, modifier: string): void {
    this.#progress.changes++;
    this.#opts.onChange?.({ path, modifier });
  }

  /** Runs a subtree's walk; a failure other than cancellation is restic's "error: ..." warning. */
  async #orWarn(walk: Promise<void>): Promise<void> {
    try {
      await walk;
    } catch (e) {
      throwIfAborted(this.#opts.signal);
      this.#opts.onWarning?.(`error: ${errorMessage(e)}`);
    }
  }

  async #diffTree(prefix: string, id1: Id, id2: Id): Promise<void> {
    const byName1 = byName(await this.#loadTree(id1));
    const byName2 = byName(await this.#loadTree(id2));
    const keys = [...new Set([...byName1.keys(), ...byName2.keys()])];
    this.#trees.prefetch(keys.flatMap((k) => subtreesToWalk(byName1.get(k), byName2.get(k))));
    const names = keys.map((k) => (byName1.get(k) ?? byName2.get(k))!.name);
    names.sort(compareNames);
    for (const raw of names) {
      const key = rawKey(raw);
      const node1 = byName1.get(key);
      const node2 = byName2.get(key);
      addBlobs(this.#before, node1);
      addBlobs(this.#after, node2);
      const name = nameText(raw);
      if (node1 && node2) {
        let path = goPathJoin(prefix, name);
        let modifier = '';
        if (node1.type !== node2.type) modifier += 'T';
        if (node2.type === 'dir') path += '/';
        if (node1.type === 'file' && node2.type === 'file' && !sameContent(node1.content, node2.content)) {
          modifier += 'M';
          this.#changedFiles++;
        } else if (this.#opts.metadata && !nodesEqual(node1, node2)) {
          modifier += 'U';
        }
        if (modifier !== '') this.#change(path, modifier);
        if (node1.type === 'dir' && node2.type === 'dir' && node1.subtree !== undefined && node2.subtree !== undefined) {
          await this.#orWarn(
            node1.subtree === node2.subtree ? this.#collectDir(this.#common, node1.subtree) : this.#diffTree(path, node1.subtree, node2.subtree),
          );
        }
      } else {
        const added = node1 === undefined;
        const node = (node1 ?? node2)!;
        const modifier = added ? '+' : '-';
        const counts = added ? this.#added : this.#removed;
        const blobs = added ? this.#after : this.#before;
        const path = goPathJoin(prefix, name) + (node.type === 'dir' ? '/' : '');
        this.#change(path, modifier);
        countNode(counts, node);
        if (node.type === 'dir' && node.subtree !== undefined) await this.#orWarn(this.#listDir(modifier, counts, blobs, path, node.subtree));
      }
    }
  }

  /** Everything below an added or removed directory: listed, counted, its blobs collected. */
  async #listDir(modifier: string, counts: DiffCounts, blobs: BlobSet, prefix: string, id: Id): Promise<void> {
    const nodes = await this.#loadTree(id);
    this.#trees.prefetch(dirSubtrees(nodes));
    for (const node of nodes) {
      const path = goPathJoin(prefix, nameText(node.name)) + (node.type === 'dir' ? '/' : '');
      this.#change(path, modifier);
      countNode(counts, node);
      addBlobs(blobs, node);
      if (node.type === 'dir' && node.subtree !== undefined) await this.#orWarn(this.#listDir(modifier, counts, blobs, path, node.subtree));
    }
  }

  /** The blobs below a subtree both snapshots share. */
  async #collectDir(blobs: BlobSet, id: Id): Promise<void> {
    const nodes = await this.#loadTree(id);
    this.#trees.prefetch(dirSubtrees(nodes));
    for (const node of nodes) {
      addBlobs(blobs, node);
      if (node.type === 'dir' && node.subtree !== undefined) await this.#orWarn(this.#collectDir(blobs, node.subtree));
    }
  }

  #countBlobs(keys: readonly string[], counts: DiffCounts): void {
    for (const key of keys) {
      const type: BlobType = key[0] === 't' ? 'tree' : 'data';
      if (type === 'tree') counts.treeBlobs++;
      else counts.dataBlobs++;
      const loc = this.#repo.index.lookup(type, key.slice(1));
      if (!loc) {
        this.#opts.onWarning?.(`unable to find blob size for <${type}/${key.slice(1, 9)}>`);
        continue;
      }
      counts.bytes += plaintextLength(loc);
    }
  }
}

function emptyCounts(): DiffCounts {
  return { files: 0, dirs: 0, others: 0, dataBlobs: 0, treeBlobs: 0, bytes: 0 };
}

function countNode(counts: DiffCounts, node: TreeNode): void {
  if (node.type === 'file') counts.files++;
  else if (node.type === 'dir') counts.dirs++;
  else counts.others++;
}

/** A file's data blobs, or a directory's own tree blob (not what is below it). */
function addBlobs(blobs: BlobSet, node: TreeNode | undefined): void {
  if (node?.type === 'file') for (const id of node.content ?? []) blobs.add(blobKey('data', id));
  else if (node?.type === 'dir' && node.subtree !== undefined) blobs.add(blobKey('tree', node.subtree));
}

/** The subtrees #diffTree goes on to read for a name: what both sides' directories lead to. */
function subtreesToWalk(node1: TreeNode | undefined, node2: TreeNode | undefined): Id[] {
  const dir1 = node1?.type === 'dir' ? node1.subtree : undefined;
  const dir2 = node2?.type === 'dir' ? node2.subtree : undefined;
  if (node1 && node2) return dir1 !== undefined && dir2 !== undefined ? (dir1 === dir2 ? [dir1] : [dir1, dir2]) : [];
  return [dir1 ?? dir2].filter((id): id is Id => id !== undefined);
}

function dirSubtrees(nodes: readonly TreeNode[]): Id[] {
  return nodes.flatMap((n) => (n.type === 'dir' && n.subtree !== undefined ? [n.subtree] : []));
}

/** Raw names as map keys: one char per byte, so that different byte strings never collide. */
function rawKey(raw: Uint8Array): string {
  return Buffer.from(raw).toString('latin1');
}

function byName(nodes: readonly TreeNode[]): Map<string, TreeNode> {
  const out = new Map<string, TreeNode>();
  // A later node of the same name wins, as in restic's map.
  for (const n of nodes) out.set(rawKey(n.name), n);
  return out;
}
