/**
 * The stats operation, restic 0.14's `stats`: walks the chosen snapshots and adds up
 * sizes in one of four counting modes, exactly as restic counts them:
 *
 * - `restore-size` (default): every node of every snapshot counts as a "file" (directories,
 *   symlinks and the rest too), and its size counts once per inode within a snapshot (hard
 *   links restore as one file; nodes without an inode always count).
 * - `files-by-contents`: nodes unique by their list of content blobs across all snapshots
 *   (every node without content shares one entry, the first one counted).
 * - `blobs-per-file`: for files with new contents, each data blob once per path, with its
 *   plaintext size.
 * - `raw-data`: every blob the snapshots use (trees and data) once, with its stored size in
 *   the pack (compressed and encrypted, as restic's index records it).
 *
 * restic 0.14 prints no compression figures in stats, so neither does this.
 */
import { createHash } from 'node:crypto';
import type { ReadOperationOptions } from '../operation.ts';
import { anySignal, ChunkvaultError, ErrorCode, integrityError, invalidInput, isChunkvaultError, throwIfAborted } from '../errors.ts';
import { compareNames, nameText, quoteName, type TreeNode } from '../format/index.ts';
import { goPathJoin } from '../format/go-path.ts';
import type { Id } from '../format/id.ts';
import { findUsedBlobs } from '../prune/used-blobs.ts';
import { withReadLock } from '../repository/lock.ts';
import { plaintextLength } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { TreePrefetcher } from '../repository/tree-prefetcher.ts';
import { findSnapshot, listSnapshots, type SnapshotFilter } from './find-snapshot.ts';

export const STATS_MODES = ['restore-size', 'files-by-contents', 'blobs-per-file', 'raw-data'] as const;
export type StatsMode = (typeof STATS_MODES)[number];

/** A counting mode from what the user wrote; `what` names the flag or input in the error. */
export function parseStatsMode(value: string, what: string): StatsMode {
  if ((STATS_MODES as readonly string[]).includes(value)) return value as StatsMode;
  throw invalidInput(`${what} must be one of ${STATS_MODES.join(', ')}; got '${value}'`);
}

export interface StatsOptions extends ReadOperationOptions<StatsProgress> {
  /** @default 'restore-size' */
  mode?: StatsMode;
  /**
   * Snapshots to count: `latest` (the newest that passes `filter`), full ids or unique
   * prefixes. None: every snapshot that passes `filter`.
   */
  snapshots?: readonly string[];
  filter?: SnapshotFilter;
  /** A snapshot reference that found nothing, or a filter that was not used: restic warns and goes on. */
  onWarning?: (message: string) => void;
}

export interface StatsProgress {
  snapshotsDone: number;
  snapshotsTotal: number;
  treesLoaded: number;
}

/** restic's statsContainer: its JSON names are total_size, total_file_count, total_blob_count, snapshots_count. */
export interface StatsResult {
  mode: StatsMode;
  /** The snapshots counted, in the order they were walked. */
  snapshots: Id[];
  totalSize: number;
  /** 0 in raw-data mode. */
  totalFileCount: number;
  /** Only raw-data and blobs-per-file count blobs; 0 otherwise. */
  totalBlobCount: number;
}

export async function stats(repo: Repository, opts: StatsOptions = {}): Promise<StatsResult> {
  return withReadLock(
    repo,
    false,
    opts,
    async (lost) => {
      const signal = anySignal(opts.signal, lost);
      const chosen = await chooseSnapshots(repo, opts, signal);
      await repo.loadIndex({ signal });
      return new StatsCounter(repo, { ...opts, signal }).run(chosen);
    },
  );
}

/** restic's FindFilteredSnapshots: references resolved one by one (unknown ones warned about), or the filtered list. */
async function chooseSnapshots(repo: Repository, opts: StatsOptions, signal: AbortSignal): Promise<SnapshotEntry[]> {
  const filter = opts.filter ?? {};
  const refs = opts.snapshots ?? [];
  if (refs.length === 0) return listSnapshots(repo, filter, { signal });
  const chosen = new Map<Id, SnapshotEntry>();
  for (const ref of refs) {
    try {
      const s = await findSnapshot(repo, ref, ref === 'latest' ? filter : {}, { signal });
      if (!chosen.has(s.id)) chosen.set(s.id, s);
    } catch (e) {
      if (!isChunkvaultError(e, ErrorCode.InvalidInput) && !isChunkvaultError(e, ErrorCode.SnapshotNotFound)) throw e;
      opts.onWarning?.(`ignoring '${ref}': ${e.message}`);
    }
  }
  const filtered = Boolean(filter.hosts?.length || filter.tags?.length || filter.paths?.length);
  if (filtered && !refs.includes('latest')) opts.onWarning?.('ignoring the host, tag and path filters: snapshot ids were given');
  return [...chosen.values()];
}

class StatsCounter {
  readonly #repo: Repository;
  readonly #opts: StatsOptions;
  readonly #mode: StatsMode;
  readonly #trees: TreePrefetcher;
  readonly #progress: StatsProgress = { snapshotsDone: 0, snapshotsTotal: 0, treesLoaded: 0 };
  #totalSize = 0;
  #totalFileCount = 0;
  #totalBlobCount = 0;
  /** files-by-contents, blobs-per-file: the content lists seen (SHA-256 of the blob ids). */
  readonly #uniqueFiles = new Set<string>();
  /** blobs-per-file: the data blobs counted per path. */
  readonly #fileBlobs = new Map<string, Set<Id>>();
  /** restore-size: the inodes counted in the current snapshot. */
  #uniqueInodes = new Set<bigint>();
  /** Other modes: subtrees walked in the current snapshot (restic's walker skips them the next time). */
  #seenTrees = new Set<Id>();

  constructor(repo: Repository, opts: StatsOptions) {
    this.#repo = repo;
    this.#opts = opts;
    this.#mode = opts.mode ?? 'restore-size';
    this.#trees = new TreePrefetcher(repo, { concurrency: Math.max(2, repo.backend.connections), signal: opts.signal });
  }

  async run(snapshots: readonly SnapshotEntry[]): Promise<StatsResult> {
    const report = () => this.#opts.onProgress?.({ ...this.#progress });
    const timer = this.#opts.onProgress ? setInterval(report, this.#opts.progressIntervalMs ?? 10_000) : undefined;
    timer?.unref();
    this.#progress.snapshotsTotal = snapshots.length;
    try {
      if (this.#mode === 'raw-data') await this.#countRawData(snapshots);
      else {
        for (const s of snapshots) {
          this.#uniqueInodes = new Set();
          this.#seenTrees = new Set();
          await this.#walk('/', await this.#loadTree(s.snapshot.tree, s));
          this.#progress.snapshotsDone++;
        }
      }
      report();
      return {
        mode: this.#mode,
        snapshots: snapshots.map((s) => s.id),
        totalSize: this.#totalSize,
        totalFileCount: this.#totalFileCount,
        totalBlobCount: this.#totalBlobCount,
      };
    } finally {
      clearInterval(timer);
    }
  }

  /** Every blob the snapshots use, once, at its stored size (the first index entry for it). */
  async #countRawData(snapshots: readonly SnapshotEntry[]): Promise<void> {
    const index = this.#repo.index;
    const used = await findUsedBlobs(this.#repo, index, snapshots, {
      concurrency: Math.max(2, this.#repo.backend.connections),
      signal: this.#opts.signal,
      onTree: () => this.#progress.treesLoaded++,
      stopped: 'Stats stopped',
    });
    this.#progress.snapshotsDone = snapshots.length;
    for (const [id, loc] of index.entries()) {
      const key = index.key(loc.type, id);
      if (key === undefined || !used.has(key)) continue;
      this.#totalSize += loc.length;
      this.#totalBlobCount++;
    }
  }

  async #loadTree(id: Id, snapshot?: SnapshotEntry): Promise<TreeNode[]> {
    throwIfAborted(this.#opts.signal);
    try {
      const nodes = await this.#trees.load(id);
      this.#progress.treesLoaded++;
      return nodes;
    } catch (e) {
      if (!snapshot || isChunkvaultError(e, ErrorCode.Aborted)) throw e;
      throw new ChunkvaultError(ErrorCode.Integrity, `snapshot ${snapshot.id}: walking tree ${id}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** restic's walker: nodes in name order, each visited, directories descended into. */
  async #walk(prefix: string, nodes: readonly TreeNode[]): Promise<void> {
    const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
    const skipsSeen = this.#mode !== 'restore-size';
    this.#trees.prefetch(sorted.flatMap((n) => (n.type === 'dir' && n.subtree !== undefined && !(skipsSeen && this.#seenTrees.has(n.subtree)) ? [n.subtree] : [])));
    for (const node of sorted) {
      const path = goPathJoin(prefix, nameText(node.name));
      if (node.type === '') throw integrityError(`node type is empty for node "${quoteName(node.name)}"`);
      if (node.type !== 'dir') {
        this.#visit(path, node);
        continue;
      }
      if (node.subtree === undefined) throw integrityError(`subtree for node ${quoteName(node.name)} in tree ${path} is nil`);
      // Outside restore-size the walker is told to skip a subtree it has walked in this snapshot.
      if (skipsSeen) {
        if (this.#seenTrees.has(node.subtree)) {
          this.#trees.forget(node.subtree);
          continue;
        }
        this.#seenTrees.add(node.subtree);
      }
      const subtree = await this.#loadTree(node.subtree);
      this.#visit(path, node);
      await this.#walk(path, subtree);
    }
  }

  #visit(path: string, node: TreeNode): void {
    if (this.#mode === 'restore-size') {
      this.#totalFileCount++;
      const inode = node.inode ?? 0n;
      if (inode === 0n || !this.#uniqueInodes.has(inode)) {
        this.#uniqueInodes.add(inode);
        this.#totalSize += node.size ?? 0;
      }
      return;
    }
    const contents = contentsId(node);
    if (this.#uniqueFiles.has(contents)) return;
    this.#uniqueFiles.add(contents);
    if (this.#mode === 'files-by-contents') {
      this.#totalSize += node.size ?? 0;
      this.#totalFileCount++;
      return;
    }
    for (const id of node.content ?? []) {
      let blobs = this.#fileBlobs.get(path);
      if (!blobs) {
        blobs = new Set();
        this.#fileBlobs.set(path, blobs);
        this.#totalFileCount++;
      }
      if (blobs.has(id)) continue;
      const loc = this.#repo.index.lookup('data', id);
      if (!loc) throw integrityError(`blob ${id} of ${path} is not in the index`);
      this.#totalSize += plaintextLength(loc);
      blobs.add(id);
      this.#totalBlobCount++;
    }
  }
}

/** What makes a file unique by contents: the hash of its blob ids in order (restic's fileID). */
function contentsId(node: TreeNode): string {
  const h = createHash('sha256');
  for (const id of node.content ?? []) h.update(id);
  return h.digest('base64');
}
