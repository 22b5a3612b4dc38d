/**
 * Walks the backup targets and builds the snapshot's tree, bottom-up: files become content
 * lists, directories become tree blobs. The tree mirrors absolute paths, as restic's does:
 * backing up /srv/app gives a root tree {srv} → {app} → contents, the intermediate
 * directories carrying the metadata of the real /srv.
 *
 * Files unchanged since the parent snapshot (same type, size, mtime, ctime and inode: restic's
 * rule) reuse the parent's content list without being read, provided every blob is still
 * in the index. Unreadable entries are reported through `onError` and left out.
 */
import type { BigIntStats, Dirent } from 'node:fs';
import * as path from 'node:path';
import { Semaphore } from '../support/concurrency.ts';
import { ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError, throwIfAborted } from '../errors.ts';
import { goModeFromUnix, nodeTypeFromUnix, serializeTree, type TreeNode } from '../format/index.ts';
import { sharedBlobEncoderPool } from '../blob-codec/encoder-pool.ts';
import { idOf, type Id } from '../format/id.ts';
import type { BlobSaver } from '../repository/blob-saver.ts';
import type { Repository } from '../repository/repository.ts';
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../chunker/index.ts';
import { READ_BLOCK_BYTES, saveContent, type SavedContent } from './content-saver.ts';
import { headDigest, HEAD_BYTES, type ContentCache } from './content-cache.ts';
import { knownContent, saveFileContent } from './file-content.ts';
import type { ExcludeFn } from './exclude.ts';
import { closeFd, lstat, openRegularFile, readAt, readdirWithTypes, readlinkRaw, statFollowing } from './fs-calls.ts';
import { OwnerNames } from './owners.ts';

export interface ArchiveProgress {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirs: number;
  /** Bytes of file content seen (read, or unchanged and reused). */
  bytesProcessed: number;
  /** Bytes actually read from disk. */
  bytesRead: number;
  /** Bytes found to be known blobs by checking them against an earlier blob list, instead of chunking them. */
  bytesVerified: number;
  errors: number;
}

export interface SourceError {
  readonly path: string;
  readonly message: string;
}

export interface ArchiverOptions {
  /** Leaves an entry out by its absolute path, before it is looked at. */
  exclude?: ExcludeFn;
  /** Leaves an entry out by what lstat says of it (size, device). */
  rejectByStat?: (absolutePath: string, stat: BigIntStats) => boolean;
  /** Entries (files, links ...) in flight at once: overlaps the I/O of small files. @default 64 */
  entryConcurrency?: number;
  /** Bytes of file data being read and chunked at once: bounds memory for large files. @default 24 MiB */
  readBudgetBytes?: number;
  /** Blob lists of files backed up before, for files the parent snapshot has none for. */
  contentCache?: ContentCache;
  signal?: AbortSignal;
  onError?: (e: SourceError) => void;
}

export interface ArchiveStats extends ArchiveProgress {
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
}

type ParentLookup = Map<string, TreeNode> | undefined;

/** Extra directory walks at once, beyond the one on the current path. */
const DIRECTORY_CONCURRENCY = 8;

/** A node of the virtual tree above and at the targets. */
interface VirtualDir {
  readonly children: Map<string, VirtualDir>;
  /** The absolute path this entry stands for. */
  readonly absolutePath: string;
  /** True when this path is itself a backup target (everything below it is included). */
  isTarget: boolean;
}

export class Archiver {
  readonly progress: ArchiveStats = {
    filesNew: 0,
    filesChanged: 0,
    filesUnmodified: 0,
    dirs: 0,
    dirsNew: 0,
    dirsChanged: 0,
    dirsUnmodified: 0,
    bytesProcessed: 0,
    bytesRead: 0,
    bytesVerified: 0,
    errors: 0,
  };
  readonly #repo: Repository;
  readonly #saver: BlobSaver;
  readonly #opts: ArchiverOptions;
  readonly #entries: Semaphore;
  /** Directory walks that may still start beside the current one. */
  #directorySlots = DIRECTORY_CONCURRENCY;
  #failure: unknown;
  readonly #readBudget: Semaphore;
  readonly #owners = new OwnerNames();
  readonly #pool = sharedBlobEncoderPool();
  readonly #exclude: ExcludeFn;

  constructor(repo: Repository, saver: BlobSaver, opts: ArchiverOptions = {}) {
    this.#repo = repo;
    this.#saver = saver;
    this.#opts = opts;
    this.#entries = new Semaphore(opts.entryConcurrency ?? 64);
    this.#readBudget = new Semaphore(opts.readBudgetBytes ?? 24 * 1024 * 1024);
    this.#exclude = opts.exclude ?? (() => false);
  }

  /**
   * Archives the targets (absolute paths) and returns the root tree id. `parentTree` is
   * the root tree of the parent snapshot, if any. `extra` nodes (a dump from stdin) are
   * added to the root tree.
   */
  async archive(targets: readonly string[], parentTree: Id | undefined, extra: TreeNode[] = []): Promise<Id> {
    const root = buildVirtualTree(targets);
    const parent = await this.#loadParent(parentTree);
    // Backing up "/" itself: the root tree is the contents of the root directory.
    const nodes = root.isTarget ? await this.#directoryNodes(Buffer.from('/'), parent) : await this.#children(root, parent);
    if (!nodes) throw new ChunkvaultError(ErrorCode.Source, 'the root directory cannot be read');
    for (const node of extra) {
      if (nodes.some((n) => Buffer.compare(n.name, node.name) === 0)) {
        const name = Buffer.from(node.name).toString('utf8');
        throw new ChunkvaultError(ErrorCode.InvalidInput, `'/${name}' is both a backed-up path and the name given to the dump: choose another dump file name`);
      }
    }
    return this.#saveTree([...nodes, ...extra], parent !== undefined);
  }

  /**
   * A file node for a byte stream that is not on disk (a dump; restic's `--stdin`), laid
   * out as restic 0.14 lays out its stdin file: mode 0644, all three times set to the
   * snapshot's time, owner 0:0, no inode or link count. Counted as a new file.
   */
  async streamFile(name: string, data: AsyncIterable<Uint8Array>, timeNs: bigint): Promise<TreeNode> {
    const saved = await saveContent(data, this.#repo.config.chunkerPolynomial, this.#saver, {
      signal: this.#opts.signal,
      onBytes: (n) => {
        this.progress.bytesRead += n;
        this.progress.bytesProcessed += n;
      },
    });
    const node: TreeNode = {
      name: new Uint8Array(Buffer.from(name, 'utf8')),
      type: 'file',
      mode: 0o644,
      mtime: timeNs,
      atime: timeNs,
      ctime: timeNs,
      uid: 0,
      gid: 0,
      content: saved.content,
    };
    if (saved.size > 0) node.size = saved.size;
    this.progress.filesNew++;
    return node;
  }

  async #children(dir: VirtualDir, parent: ParentLookup): Promise<TreeNode[]> {
    const nodes: TreeNode[] = [];
    for (const [name, child] of dir.children) {
      this.#checkRunning();
      const key = Buffer.from(name).toString('latin1');
      const node = child.isTarget
        ? await this.#entry(child.absolutePath, Buffer.from(name), parent?.get(key))
        : await this.#intermediate(child, name, parent?.get(key));
      if (node) nodes.push(node);
    }
    return nodes;
  }

  /** A directory above the targets: restic records the real directory, through symlinks. */
  async #intermediate(dir: VirtualDir, name: string, parentNode: TreeNode | undefined): Promise<TreeNode | undefined> {
    const stat = await this.#stat(dir.absolutePath);
    if (!stat) return undefined;
    if (!stat.isDirectory()) {
      this.#fail(dir.absolutePath, 'is not a directory');
      return undefined;
    }
    const parent = await this.#loadParent(parentNode?.type === 'dir' ? parentNode.subtree : undefined);
    const node = this.#baseNode(Buffer.from(name), stat, 'dir');
    const children = await this.#children(dir, parent);
    node.subtree = await this.#saveTree(children, parent !== undefined);
    return node;
  }

  /** One real filesystem entry and, for a directory, everything below it. */
  async #entry(absolutePath: string | Buffer, name: Buffer, parentNode: TreeNode | undefined): Promise<TreeNode | undefined> {
    const stat = await this.#lstat(absolutePath);
    if (!stat) return undefined;
    if (this.#opts.rejectByStat?.(absolutePath.toString(), stat)) return undefined;
    const type = nodeTypeFromUnix(Number(stat.mode));
    if (!type) {
      this.#fail(absolutePath, 'unsupported file type');
      return undefined;
    }
    const node = this.#baseNode(name, stat, type);
    switch (type) {
      case 'dir':
        return this.#directory(absolutePath, node, parentNode);
      case 'file':
        return this.#file(absolutePath, node, stat, parentNode);
      case 'symlink':
        try {
          node.linktarget = (await readlinkRaw(absolutePath)).toString('utf8');
        } catch (e) {
          this.#fail(absolutePath, errorMessage(e));
          return undefined;
        }
        return node;
      default:
        if (type === 'dev' || type === 'chardev') node.device = stat.rdev;
        return node;
    }
  }

  async #directory(absolutePath: string | Buffer, node: TreeNode, parentNode: TreeNode | undefined): Promise<TreeNode | undefined> {
    const parent = await this.#loadParent(parentNode?.type === 'dir' ? parentNode.subtree : undefined);
    const nodes = await this.#directoryNodes(typeof absolutePath === 'string' ? Buffer.from(absolutePath) : absolutePath, parent);
    if (!nodes) return undefined;
    this.progress.dirs++;
    node.subtree = await this.#saveTree(nodes, parent !== undefined, parentNode?.subtree);
    return node;
  }

  /**
   * The nodes of a directory's entries, in name order; undefined when it cannot be listed.
   *
   * Files (and other non-directories) run concurrently within the entry slots, which bound
   * the work queued at any time. A subdirectory runs concurrently when a directory slot is
   * free and is walked inline otherwise: the walk never waits for a directory slot, so it
   * cannot deadlock, and at most DIRECTORY_CONCURRENCY extra walks are open at once.
   * The first fatal failure stops every walk from starting more work; everything already
   * started is awaited before the failure is rethrown, so nothing runs after the backup
   * has given up (and no rejection goes unhandled).
   */
  async #directoryNodes(base: Buffer, parent: ParentLookup): Promise<TreeNode[] | undefined> {
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdirWithTypes(base);
    } catch (e) {
      this.#fail(base, errorMessage(e));
      return undefined;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const separator = base[base.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/');
    const children: Promise<TreeNode | undefined>[] = [];
    const track = (p: Promise<TreeNode | undefined>) => {
      children.push(p);
      p.catch((e: unknown) => this.#stop(e));
    };
    try {
      for (const [i, entry] of entries.entries()) {
        this.#checkRunning();
        // Synchronous metadata calls would otherwise keep timers and signals waiting.
        if (i % 128 === 127) await new Promise((r) => setImmediate(r));
        const childPath = Buffer.concat([base, separator, entry.name]);
        if (this.#exclude(childPath.toString('utf8'))) continue;
        const parentChild = parent?.get(entry.name.toString('latin1'));
        if (await isDirectory(entry, childPath)) {
          if (this.#directorySlots > 0) {
            this.#directorySlots--;
            track(this.#entry(childPath, entry.name, parentChild).finally(() => this.#directorySlots++));
          } else {
            const done = this.#entry(childPath, entry.name, parentChild);
            track(done);
            await done.catch(() => {});
          }
        } else {
          await this.#entries.acquire();
          track(this.#entry(childPath, entry.name, parentChild).finally(() => this.#entries.release()));
        }
      }
    } finally {
      await Promise.allSettled(children);
    }
    this.#checkRunning();
    return (await Promise.all(children)).filter((n): n is TreeNode => n !== undefined);
  }

  /** Records the first fatal failure; every walk stops at its next step. */
  #stop(e: unknown): void {
    this.#failure ??= e;
  }

  #checkRunning(): void {
    if (this.#failure !== undefined) throw this.#failure;
    throwIfAborted(this.#opts.signal);
  }

  async #file(absolutePath: string | Buffer, node: TreeNode, stat: BigIntStats, parentNode: TreeNode | undefined): Promise<TreeNode | undefined> {
    const size = Number(stat.size);
    if (parentNode && this.#unchanged(node, parentNode)) {
      node.content = parentNode.content;
      this.progress.filesUnmodified++;
      this.progress.bytesProcessed += size;
      return node;
    }
    // A file holds at most one read block and one chunk in memory while it is read.
    const budget = await this.#readBudget.acquire(Math.min(size + 1, READ_BLOCK_BYTES + MAX_CHUNK_SIZE));
    let fd: number | undefined;
    try {
      let saved = size < MIN_CHUNK_SIZE ? await this.#smallFileContent(absolutePath, stat.ino, size) : undefined;
      if (saved === null) return undefined; // reported
      if (!saved) {
        fd = await openRegularFile(absolutePath, stat.ino);
        saved = await this.#fileContent(fd, size, parentNode);
      }
      node.content = saved.content;
      if (saved.size > 0) node.size = saved.size;
      else delete node.size;
    } catch (e) {
      // Our own errors (storage, cancellation) are fatal; the filesystem's are the source's.
      if (isChunkvaultError(e)) throw e;
      this.#fail(absolutePath, errorMessage(e));
      return undefined;
    } finally {
      if (fd !== undefined) await closeFd(fd).catch(() => {});
      this.#readBudget.release(budget);
    }
    if (parentNode) this.progress.filesChanged++;
    else this.progress.filesNew++;
    return node;
  }

  /**
   * A file of at least one chunk: checked against a candidate blob list where there is one
   * (file-content.ts), chunked where not, and recorded in the content cache. The candidate
   * is the parent's node at this path when its size is the same, else the content cache's
   * entry for this size and first 64 KiB, else the parent's node (a file grown or shrunk
   * at its end still matches up to the change).
   */
  async #fileContent(fd: number, size: number, parentNode: TreeNode | undefined): Promise<SavedContent> {
    const cache = this.#opts.contentCache;
    const parentContent = parentNode?.type === 'file' ? parentNode.content : undefined;
    let head: Buffer | undefined;
    if (cache) {
      const bytes = Buffer.allocUnsafe(Math.min(HEAD_BYTES, size));
      const got = await readAt(fd, bytes, bytes.length, 0);
      head = headDigest(bytes.subarray(0, got));
    }
    const sameSize = parentContent && (parentNode?.size ?? 0) === size ? parentContent : undefined;
    const candidate = sameSize ?? (head && cache?.lookup(head, size)) ?? parentContent;
    const saved = await saveFileContent(fd, size, this.#repo.config.chunkerPolynomial, this.#saver, knownContent(candidate, this.#repo.index), {
      signal: this.#opts.signal,
      onBytes: (n) => {
        this.progress.bytesRead += n;
      },
    });
    this.progress.bytesProcessed += saved.size;
    this.progress.bytesVerified += saved.verifiedBytes;
    if (head && saved.size === size) cache?.record(head, size, saved.content);
    return saved;
  }

  /**
   * A file smaller than the chunker's minimum is one blob, named by the SHA-256 of its
   * bytes: an encoder worker opens, checks, reads and hashes it (pool.readSmallFile), so
   * that these system calls and the hash run on both cores rather than on this thread.
   * Null when it could not be read (reported); undefined when it turned out larger than
   * its stat said (it is growing): the caller streams it.
   */
  async #smallFileContent(absolutePath: string | Buffer, inode: bigint, size: number): Promise<SavedContent | null | undefined> {
    const pathBytes = typeof absolutePath === 'string' ? Buffer.from(absolutePath) : absolutePath;
    const read = await this.#pool.readSmallFile(pathBytes, inode, size);
    if (!read.ok) {
      if (read.grown) return undefined;
      this.#fail(absolutePath, read.message);
      return null;
    }
    const { id, data } = read.blob;
    this.progress.bytesRead += data.byteLength;
    this.progress.bytesProcessed += data.byteLength;
    if (data.byteLength === 0) return { content: [], size: 0 };
    await this.#saver.save('data', data, id);
    return { content: [id], size: data.byteLength };
  }

  /** restic's change test, plus: every blob of the old content must still exist. */
  #unchanged(node: TreeNode, old: TreeNode): boolean {
    if (old.type !== 'file' || !old.content) return false;
    if ((old.size ?? 0) !== (node.size ?? 0)) return false;
    if (old.mtime !== node.mtime || old.ctime !== node.ctime) return false;
    if ((old.inode ?? 0n) !== (node.inode ?? 0n)) return false;
    return old.content.every((id) => this.#saver.known('data', id));
  }

  #baseNode(name: Buffer, st: BigIntStats, type: string): TreeNode {
    const uid = Number(st.uid);
    const gid = Number(st.gid);
    const node: TreeNode = {
      name: new Uint8Array(name),
      type,
      mode: goModeFromUnix(Number(st.mode)),
      mtime: st.mtimeNs,
      // restic stores atime = mtime unless asked otherwise: reading files must not change trees.
      atime: st.mtimeNs,
      ctime: st.ctimeNs,
      uid,
      gid,
      content: null,
    };
    const user = this.#owners.user(uid);
    const group = this.#owners.group(gid);
    if (user) node.user = user;
    if (group) node.group = group;
    if (st.ino > 0n) node.inode = st.ino;
    if (st.dev > 0n) node.deviceId = st.dev;
    if (type === 'file') {
      node.content = [];
      if (st.size > 0n) node.size = Number(st.size);
    }
    if (type !== 'dir' && st.nlink > 0n) node.links = st.nlink;
    return node;
  }

  async #saveTree(nodes: TreeNode[], hadParent: boolean, parentSubtree?: Id): Promise<Id> {
    const bytes = serializeTree(nodes);
    const id = idOf(bytes);
    await this.#saver.save('tree', bytes, id);
    if (!hadParent) this.progress.dirsNew++;
    else if (id === parentSubtree) this.progress.dirsUnmodified++;
    else this.progress.dirsChanged++;
    return id;
  }

  async #loadParent(treeId: Id | undefined): Promise<ParentLookup> {
    if (!treeId) return undefined;
    try {
      const nodes = await this.#repo.loadTree(treeId, { signal: this.#opts.signal });
      // Keyed by the raw name bytes (latin1 maps bytes 1:1 to a string).
      return new Map(nodes.map((n) => [Buffer.from(n.name).toString('latin1'), n]));
    } catch {
      // A damaged parent only costs speed: everything below is read again.
      return undefined;
    }
  }

  async #stat(p: string | Buffer): Promise<BigIntStats | undefined> {
    try {
      return await statFollowing(p);
    } catch (e) {
      this.#fail(p, errorMessage(e));
      return undefined;
    }
  }

  async #lstat(p: string | Buffer): Promise<BigIntStats | undefined> {
    try {
      return await lstat(p);
    } catch (e) {
      this.#fail(p, errorMessage(e));
      return undefined;
    }
  }

  #fail(p: string | Buffer, message: string): void {
    this.progress.errors++;
    this.#opts.onError?.({ path: p.toString(), message });
  }
}

/** Directory test without an extra lstat where the directory entry already tells. */
async function isDirectory(entry: Dirent<Buffer>, p: Buffer): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (entry.isFile() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()) {
    return false;
  }
  try {
    return (await lstat(p)).isDirectory();
  } catch {
    return false; // reported when the entry itself is read
  }
}

/** Builds the tree of path components above and at the targets. */
export function buildVirtualTree(targets: readonly string[]): VirtualDir {
  const root: VirtualDir = { children: new Map(), absolutePath: '/', isTarget: false };
  for (const target of normalizeTargets(targets)) {
    const parts = target.split('/').filter((p) => p.length > 0);
    let dir = root;
    let abs = '';
    for (const part of parts) {
      abs += `/${part}`;
      let next = dir.children.get(part);
      if (!next) {
        next = { children: new Map(), absolutePath: abs, isTarget: false };
        dir.children.set(part, next);
      }
      dir = next;
    }
    dir.isTarget = true;
  }
  sortChildren(root);
  return root;
}

function sortChildren(dir: VirtualDir): void {
  const sorted = [...dir.children.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  dir.children.clear();
  for (const [k, v] of sorted) {
    dir.children.set(k, v);
    sortChildren(v);
  }
}

/** Absolute, normalized, deduplicated, and without targets nested inside other targets. */
export function normalizeTargets(targets: readonly string[]): string[] {
  const abs = [...new Set(targets.map((t) => path.resolve(t)))].sort();
  return abs.filter((t) => !abs.some((other) => other !== t && (other === '/' || t.startsWith(`${other}/`))));
}
