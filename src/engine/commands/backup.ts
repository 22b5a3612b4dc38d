/**
 * The backup operation: lock, load the index, pick the parent snapshot, archive the
 * targets, make everything durable, and only then write the snapshot.
 */
import type { OperationOptions } from '../operation.ts';
import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { Archiver, normalizeTargets, type ArchiverOptions, type ArchiveStats, type SourceError } from '../archiver/archiver.ts';
import { ContentCache, type ContentCacheStats } from '../archiver/content-cache.ts';
import { compileExcludes, type ExcludeFn } from '../archiver/exclude.ts';
import { CACHEDIR_TAG, rejectIfPresent, rejectLargerThan, rejectOtherDevices } from '../archiver/reject.ts';
import { checkDumpFilename, saveDump, type DumpSource } from '../dump/index.ts';
import { ChunkvaultError, ErrorCode, errorMessage, throwIfAborted } from '../errors.ts';
import { serializeSnapshot, type Snapshot, type TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { BlobSaver, type BlobSaverStats } from '../repository/blob-saver.ts';
import { withLock } from '../repository/lock.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { PROGRAM_VERSION } from '../format/program-version.ts';
import { currentUser } from '../repository/current-user.ts';

export type BackupPhase = 'lock' | 'index' | 'parent' | 'archive' | 'flush' | 'snapshot';

export interface BackupProgress extends ArchiveStats {
  phase: BackupPhase;
  /** Stored bytes the repository grew by so far (packs and index files). */
  bytesWritten: number;
  /** Plaintext bytes of new data blobs so far. */
  dataAdded: number;
  /** Stored bytes of the new blobs (data and tree) so far, after compression and encryption. */
  dataAddedPacked: number;
  elapsedMs: number;
}

export interface BackupOptions extends OperationOptions<BackupProgress> {
  /** Paths to back up; relative ones resolve against `baseDir`. */
  targets: readonly string[];
  /** restic's exclude patterns (--exclude, and the lines of --exclude-file). */
  excludes?: readonly string[];
  /** restic's case-insensitive exclude patterns (--iexclude, --iexclude-file). */
  iexcludes?: readonly string[];
  /** restic's --exclude-if-present: `NAME[:HEADER]` tag files whose directory's contents are left out. */
  excludeIfPresent?: readonly string[];
  /** restic's --exclude-caches: directories tagged with a CACHEDIR.TAG are left out (but the tag). */
  excludeCaches?: boolean;
  /** restic's --exclude-larger-than, in bytes: larger files are left out. */
  excludeLargerThan?: number;
  /** restic's --one-file-system: nothing on another file system than its backed-up path (mount points stay, empty). */
  oneFileSystem?: boolean;
  /** A tag file could not be read: worth a warning, as restic gives. */
  onWarning?: (message: string) => void;
  /** Where relative targets resolve. */
  baseDir: string;
  hostname: string;
  tags?: readonly string[];
  /**
   * Parent snapshot: an id or unique prefix; undefined or `latest` picks the newest with the
   * same host and paths (what restic 0.16+ means by `--parent latest`); null forces none.
   */
  parent?: Id | 'latest' | null;
  /** Free text stored in the snapshot (rustic's `description`); restic 0.14 ignores it. */
  description?: string;
  /** Snapshot time. @default now */
  time?: Date;
  /** Extra nodes for the root tree. */
  extraNodes?: TreeNode[];
  /**
   * A dump streamed into the snapshot as the file `/<filename>` (with or without
   * targets). It starts once the lock is held and the index loaded; if it fails, no
   * snapshot is written and a DumpError says why.
   */
  dump?: DumpSource;
  onSourceError?: (e: SourceError) => void;
  /**
   * The content cache file (outside the repository; sealed with its key): blob lists of
   * files backed up before, checked against a file instead of chunking it when the parent
   * snapshot has none for its path. Rewritten after the snapshot is saved. Omitted: none.
   */
  contentCacheFile?: string;
}

export interface BackupStats extends ArchiveStats, BlobSaverStats {
  /** Everything the repository grew by: packs, index files and the snapshot file. */
  bytesAdded: number;
  durationMs: number;
}

export interface BackupResult {
  snapshotId: Id;
  snapshot: Snapshot;
  parentId: Id | undefined;
  stats: BackupStats;
  errors: SourceError[];
  /** The dump, when there was one: its path in the snapshot and its size. */
  dump?: { path: string; bytes: number };
  /** What the content cache did, when one was given; `saveError` if it could not be written. */
  contentCache?: ContentCacheStats & { file: string; entries: number; saveError?: string };
}

export async function backup(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const startNs = BigInt(opts.time?.getTime() ?? started) * 1_000_000n;
  const targets = normalizeTargets(opts.targets.map((t) => path.resolve(opts.baseDir, t)));
  if (targets.length === 0 && !opts.extraNodes?.length && !opts.dump) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, 'nothing to back up: no source paths were given');
  }
  // restic's --stdin layout: the dump is /<filename>, and that is one of the snapshot's paths.
  const dumpPath = opts.dump ? `/${checkDumpFilename(opts.dump.filename)}` : undefined;
  if (dumpPath && targets.some((t) => t === dumpPath || t.startsWith(`${dumpPath}/`))) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `'${dumpPath}' is both a backed-up path and the name given to the dump: choose another dump file name`);
  }
  // Checked before the repository is touched: a malformed pattern must not cost a lock.
  const exclude = withTagFiles(compileExcludes({ excludes: opts.excludes, iexcludes: opts.iexcludes }), opts);
  const rejectByStat = statRejections(opts, targets);
  if (!opts.dump && !opts.extraNodes?.length) await assertSomeTargetExists(targets);
  const snapshotPaths = dumpPath ? [...targets, dumpPath].sort() : targets;
  const errors: SourceError[] = [];
  const saver = new BlobSaver(repo, { signal: opts.signal });
  const contentCache = opts.contentCacheFile === undefined ? undefined : await ContentCache.load(opts.contentCacheFile, repo.key);
  const archiver = new Archiver(repo, saver, {
    contentCache,
    exclude: withoutRepository(exclude, repo.backend.localRoot),
    rejectByStat,
    signal: opts.signal,
    onError: (e) => {
      errors.push(e);
      opts.onSourceError?.(e);
    },
  });
  let phase: BackupPhase = 'lock';
  const report = () =>
    opts.onProgress?.({
      ...archiver.progress,
      phase,
      bytesWritten: saver.stats.bytesWritten,
      dataAdded: saver.stats.dataAdded,
      dataAddedPacked: saver.stats.dataAddedPacked,
      elapsedMs: Date.now() - started,
    });
  const enter = (p: BackupPhase) => {
    phase = p;
  };
  const timer = opts.onProgress ? setInterval(report, opts.progressIntervalMs ?? 10_000) : undefined;
  timer?.unref();
  try {
    enter('lock');
    return await withLock(
      repo,
      { exclusive: false, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError, onLeftBehind: opts.onWarning },
      async (lock) => {
        enter('index');
        await repo.loadIndex({ signal: opts.signal });
        enter('parent');
        const parent = await findParent(repo, opts, snapshotPaths);
        enter('archive');
        let tree: Id;
        let dumpBytes = 0;
        try {
          const extra = [...(opts.extraNodes ?? [])];
          if (opts.dump) {
            // First, so that the files are backed up only once the dump has succeeded.
            const saved = await saveDump(archiver, opts.dump, startNs, opts.signal);
            extra.push(saved.node);
            dumpBytes = saved.bytes;
          }
          tree = await archiver.archive(targets, parent?.snapshot.tree, extra);
          enter('flush');
          await saver.flush();
        } catch (e) {
          // No snapshot, but the packs already stored get an index: the next run reuses them.
          await saver.salvage().catch(() => {});
          throw e;
        }
        const filesSeen = archiver.progress.filesNew + archiver.progress.filesChanged + archiver.progress.filesUnmodified;
        if (errors.length > 0 && filesSeen === 0 && archiver.progress.dirs === 0 && !opts.extraNodes?.length && !opts.dump) {
          throw new ChunkvaultError(ErrorCode.Source, `nothing could be read: ${errors[0]!.path}: ${errors[0]!.message}`);
        }
        enter('snapshot');
        // Under a lock others may already take for stale, a prune could have started: no snapshot.
        throwIfAborted(lock.lost);
        const snapshot = makeSnapshot(opts, snapshotPaths, tree, parent?.id, startNs, archiver.progress, saver.stats, errors.length);
        const saved = await repo.saveUnpacked('snapshot', serializeSnapshot(snapshot), { signal: opts.signal });
        report();
        const stats: BackupStats = {
          ...archiver.progress,
          ...saver.stats,
          bytesAdded: saver.stats.bytesWritten + saved.size,
          durationMs: Date.now() - started,
        };
        const result: BackupResult = { snapshotId: saved.id, snapshot, parentId: parent?.id, stats, errors };
        if (dumpPath) result.dump = { path: dumpPath, bytes: dumpBytes };
        if (contentCache && opts.contentCacheFile !== undefined) result.contentCache = await saveContentCache(contentCache, opts.contentCacheFile, repo);
        return result;
      },
    );
  } catch (e) {
    // Whatever was interrupted by the signal (a timer, a stream) reports it as one error.
    throwIfAborted(opts.signal);
    throw e;
  } finally {
    clearInterval(timer);
  }
}

/** Writes the content cache after the snapshot; a failure costs only the next run's speed. */
async function saveContentCache(cache: ContentCache, file: string, repo: Repository): Promise<NonNullable<BackupResult['contentCache']>> {
  const result: NonNullable<BackupResult['contentCache']> = { ...cache.stats, file, entries: cache.size };
  try {
    await cache.save(file, repo.key);
  } catch (e) {
    result.saveError = errorMessage(e);
  }
  return result;
}

function withTagFiles(exclude: ExcludeFn, opts: BackupOptions): ExcludeFn {
  const specs = [...(opts.excludeIfPresent ?? []), ...(opts.excludeCaches ? [CACHEDIR_TAG] : [])];
  if (specs.length === 0) return exclude;
  const warn = opts.onWarning ?? (() => {});
  const tagged = specs.map((spec) => rejectIfPresent(spec, warn));
  return (p) => exclude(p) || tagged.some((t) => t(p));
}

function statRejections(opts: BackupOptions, targets: readonly string[]): ArchiverOptions['rejectByStat'] {
  const tests: NonNullable<ArchiverOptions['rejectByStat']>[] = [];
  if (opts.excludeLargerThan !== undefined) {
    const larger = rejectLargerThan(opts.excludeLargerThan);
    tests.push((_p, stat) => larger(stat));
  }
  if (opts.oneFileSystem && targets.length > 0) tests.push(rejectOtherDevices(targets));
  if (tests.length === 0) return undefined;
  return (p, stat) => tests.some((t) => t(p, stat));
}

/**
 * A repository inside a backed-up directory (say, `backups/` in the workspace) is left out
 * of its own snapshots: otherwise every backup would store the previous ones again.
 */
function withoutRepository(exclude: ExcludeFn, repositoryRoot: string | undefined): ExcludeFn {
  if (!repositoryRoot) return exclude;
  const inside = `${repositoryRoot}/`;
  return (p) => p === repositoryRoot || p.startsWith(inside) || exclude(p);
}

/**
 * As restic: when not one of the paths exists, the backup is refused before the repository
 * is touched (no lock, no pack for an empty tree). Some missing among others are only
 * warned about, by the archiver.
 */
async function assertSomeTargetExists(targets: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const target of targets) {
    try {
      await lstat(target);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return;
      missing.push(target);
    }
  }
  throw new ChunkvaultError(ErrorCode.Source, `nothing to back up: ${missing.length === 1 ? `${missing[0]} does not exist` : `none of ${missing.join(', ')} exists`}`);
}

async function findParent(repo: Repository, opts: BackupOptions, paths: readonly string[]): Promise<SnapshotEntry | undefined> {
  if (opts.parent === null) return undefined;
  const snapshots = await repo.listSnapshots({ signal: opts.signal });
  if (opts.parent !== undefined && opts.parent !== 'latest') {
    const id = await repo.resolveId('snapshot', opts.parent, { signal: opts.signal }).catch((e: unknown) => {
      // Name the setting (CLI --parent, action input `parent`); backend failures pass as they are.
      if (e instanceof ChunkvaultError && e.code === ErrorCode.InvalidInput) {
        throw new ChunkvaultError(ErrorCode.InvalidInput, `parent '${opts.parent}': ${e.message}; use a full snapshot id, a unique prefix of one, or 'latest'`);
      }
      throw e;
    });
    const found = snapshots.find((s) => s.id === id);
    if (!found) throw new ChunkvaultError(ErrorCode.InvalidInput, `parent snapshot ${opts.parent} not found`);
    return found;
  }
  const wanted = [...paths].sort().join('\0');
  let best: SnapshotEntry | undefined;
  for (const s of snapshots) {
    if (s.snapshot.hostname !== opts.hostname) continue;
    if ([...s.snapshot.paths].sort().join('\0') !== wanted) continue;
    if (!best || s.snapshot.time >= best.snapshot.time) best = s;
  }
  return best;
}

function makeSnapshot(
  opts: BackupOptions,
  targets: readonly string[],
  tree: Id,
  parent: Id | undefined,
  startNs: bigint,
  archive: ArchiveStats,
  saved: BlobSaverStats,
  readErrors: number,
): Snapshot {
  const user = currentUser();
  const snapshot: Snapshot = {
    time: startNs,
    tree,
    paths: [...targets],
    hostname: opts.hostname,
    username: user.username,
    programVersion: `chunkvault ${PROGRAM_VERSION}`,
    summary: {
      backupStart: startNs,
      backupEnd: BigInt(Date.now()) * 1_000_000n,
      filesNew: archive.filesNew,
      filesChanged: archive.filesChanged,
      filesUnmodified: archive.filesUnmodified,
      dirsNew: archive.dirsNew,
      dirsChanged: archive.dirsChanged,
      dirsUnmodified: archive.dirsUnmodified,
      dataBlobs: saved.dataBlobs,
      treeBlobs: saved.treeBlobs,
      dataAdded: saved.dataAdded,
      dataAddedPacked: saved.dataAddedPacked,
      totalFilesProcessed: archive.filesNew + archive.filesChanged + archive.filesUnmodified,
      totalBytesProcessed: archive.bytesProcessed,
    },
  };
  if (parent) snapshot.parent = parent;
  if (user.uid > 0) snapshot.uid = user.uid;
  if (user.gid > 0) snapshot.gid = user.gid;
  if (opts.excludes?.length) snapshot.excludes = [...opts.excludes];
  if (opts.tags?.length) snapshot.tags = [...opts.tags];
  if (opts.description) snapshot.description = opts.description;
  // Marked, so that a restore or drill of it later says that it is not whole.
  if (readErrors > 0) snapshot.readErrors = readErrors;
  return snapshot;
}
