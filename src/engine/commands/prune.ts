/**
 * The prune operation, in the order that keeps a repository whole whenever it stops:
 *   1. exclusive lock; read every index file, the pack listing and every snapshot, and
 *      walk all trees for the blobs still used (any damage stops the prune here);
 *   2. plan (plan.ts); a dry run ends here;
 *   3. delete packs that no index names (nothing can refer to them);
 *   4. copy the used blobs of packs being repacked into new packs, and index those;
 *   5. write the new index (every pack that stays), then delete the index files it replaces;
 *   6. only then delete the packs that are no longer needed.
 * Stopped at any point, the repository still passes `restic check` and every snapshot
 * restores: each step adds what the next one's deletions would take away. Packs left
 * behind are unreferenced (restic calls them "additional files"): the next prune deletes them.
 */
import type { OperationOptions } from '../operation.ts';
import { loadCheckIndex } from '../checker/pack-table.ts';
import { FindingList } from '../checker/findings.ts';
import { forEachLimited } from '../support/concurrency.ts';
import { anySignal, ChunkvaultError, ErrorCode, throwIfAborted } from '../errors.ts';
import { serializeIndex, type IndexPack } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { indexMaxBlobs } from '../repository/blob-saver.ts';
import { withLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';
import { DEFAULT_MAX_UNUSED, parseMaxUnused, parseSize } from '../prune/max-unused.ts';
import { planPrune, type PruneStats } from '../prune/plan.ts';
import { repack } from '../prune/repack.ts';
import type { PruneStep } from '../prune/steps.ts';
import { findUsedBlobs } from '../prune/used-blobs.ts';

export type PrunePhase = 'lock' | 'index' | 'snapshots' | 'trees' | 'plan' | 'unreferenced' | 'repack' | 'rewrite-index' | 'delete-packs' | 'done';

export interface PruneProgress {
  phase: PrunePhase;
  snapshots: number;
  treesWalked: number;
  packsToRepack: number;
  packsRepacked: number;
  filesToDelete: number;
  filesDeleted: number;
  elapsedMs: number;
}

export interface PruneOptions extends OperationOptions<PruneProgress> {
  /** Plan and report only; change nothing. @default false */
  dryRun?: boolean;
  /** Unused data tolerated after the prune: '5%' (default), '100M', 'unlimited'. */
  maxUnused?: string;
  /** Repack at most this much: '2G'. @default unlimited */
  maxRepackSize?: string;
  /** Recompress data packs holding uncompressed blobs (v2). @default false */
  repackUncompressed?: boolean;
  /** Snapshots to treat as gone (forget --dry-run --prune: what prune would do after the forget). */
  ignoreSnapshots?: ReadonlySet<Id>;
  /** Called after each change to the repository is durable. */
  onStep?: (step: PruneStep) => void;
}

export interface PruneResult {
  dryRun: boolean;
  stats: PruneStats;
  /** What the plan deletes and repacks (done, unless a dry run). */
  plan: { removeUnreferenced: Id[]; removePacks: Id[]; repackPacks: Id[]; ignorePacks: Id[] };
  snapshots: number;
  /** Pack files deleted: unreferenced, unused and repacked ones. */
  packsDeleted: number;
  packsRepacked: number;
  packsWritten: number;
  indexFilesWritten: number;
  indexFilesDeleted: number;
  /** Bytes deleted minus bytes written; in a dry run, the plan's estimate. */
  bytesFreed: number;
  durationMs: number;
}

/** Prunes under an exclusive lock (a dry run takes a shared one: it changes nothing). */
export async function prune(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  return withLock(
    repo,
    { exclusive: !opts.dryRun, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError, deletes: opts.dryRun ? undefined : 'prune' },
    // A lock that can no longer be refreshed stops the prune before its next change.
    (lock) => pruneLocked(repo, { ...opts, signal: anySignal(opts.signal, lock.lost) }),
  );
}

/** Prunes; the caller holds an exclusive lock (forget --prune). */
export async function pruneLocked(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  const started = Date.now();
  const { signal } = opts;
  const maxUnused = parseMaxUnused(opts.maxUnused ?? DEFAULT_MAX_UNUSED);
  const maxRepackBytes = opts.maxRepackSize ? parseSize(opts.maxRepackSize, 'max-repack-size') : undefined;
  if (opts.ignoreSnapshots && !opts.dryRun) {
    // Treating live snapshots as gone would delete their data.
    throw new ChunkvaultError(ErrorCode.Internal, 'prune: ignoreSnapshots is only for dry runs');
  }
  const concurrency = Math.max(2, repo.backend.connections);
  const progress: PruneProgress = { phase: 'index', snapshots: 0, treesWalked: 0, packsToRepack: 0, packsRepacked: 0, filesToDelete: 0, filesDeleted: 0, elapsedMs: 0 };
  const report = () => opts.onProgress?.({ ...progress, elapsedMs: Date.now() - started });
  const timer = opts.onProgress ? setInterval(report, opts.progressIntervalMs ?? 10_000) : undefined;
  timer?.unref();
  const step = (s: PruneStep) => opts.onStep?.(s);
  try {
    // 1. What the repository holds and what the snapshots use.
    const findings = new FindingList();
    const { packs, blobs, indexFileSizes } = await loadCheckIndex(repo, findings, { signal });
    if (findings.errors.length > 0) {
      throw new ChunkvaultError(ErrorCode.Integrity, `${findings.errors[0]!.message}: prune stopped before changing anything; run check`);
    }
    // Every listed index file loaded (else the prune stopped above): the new index replaces them all.
    const oldIndexFiles = new Map(indexFileSizes);
    const packSizes = new Map<Id, number>();
    for await (const f of repo.backend.list('data', { signal })) packSizes.set(f.name, f.size);

    progress.phase = 'snapshots';
    // An unreadable snapshot throws: its blobs would otherwise look unused.
    const snapshots = (await repo.listSnapshots({ signal })).filter((s) => !opts.ignoreSnapshots?.has(s.id));
    progress.snapshots = snapshots.length;
    progress.phase = 'trees';
    const used = await findUsedBlobs(repo, blobs, snapshots, { concurrency: concurrency * 2, signal, onTree: () => progress.treesWalked++ });

    // 2. The plan.
    progress.phase = 'plan';
    const plan = planPrune({
      packs,
      packSizes,
      key: (type, id) => blobs.key(type, id),
      used,
      repositoryVersion: repo.version,
      maxUnused,
      maxRepackBytes,
      repackUncompressed: opts.repackUncompressed ?? false,
      signal,
    });
    used.clear();
    const result: PruneResult = {
      dryRun: opts.dryRun === true,
      stats: plan.stats,
      plan: { removeUnreferenced: plan.removeUnreferenced, removePacks: plan.removePacks, repackPacks: plan.repackPacks, ignorePacks: plan.ignorePacks },
      snapshots: snapshots.length,
      packsDeleted: 0,
      packsRepacked: 0,
      packsWritten: 0,
      indexFilesWritten: 0,
      indexFilesDeleted: 0,
      // Whole pack files deleted, plus the unused part of those repacked (missing packs free nothing).
      bytesFreed: sumSizes(plan.removeUnreferenced, packSizes) + sumSizes(plan.removePacks, packSizes) + plan.stats.repackRemove.bytes,
      durationMs: 0,
    };
    step('planned');
    if (opts.dryRun) return finish(result);
    throwIfAborted(signal);
    let bytesDeleted = 0;
    let bytesWritten = 0;

    // 3. Packs nothing refers to.
    progress.phase = 'unreferenced';
    progress.filesToDelete = plan.removeUnreferenced.length;
    await forEachLimited(plan.removeUnreferenced, concurrency, async (id) => {
      throwIfAborted(signal);
      await repo.backend.remove({ type: 'data', name: id });
      bytesDeleted += packSizes.get(id) ?? 0;
      result.packsDeleted++;
      progress.filesDeleted++;
      step('unreferenced-deleted');
    });

    // 4. Copy what is still used out of the packs being repacked.
    progress.phase = 'repack';
    progress.packsToRepack = plan.repackPacks.length;
    let newPacks: IndexPack[] = [];
    const supersededIndexFiles = [...oldIndexFiles.keys()];
    if (plan.repackPacks.length > 0) {
      const r = await repack(repo, packs, blobs, plan.repackPacks, plan.keepBlobs, {
        concurrency,
        repackUncompressed: opts.repackUncompressed ?? false,
        signal,
        onStep: step,
        onPackRepacked: () => progress.packsRepacked++,
      });
      newPacks = r.packs;
      bytesWritten += r.bytesWritten;
      result.packsWritten = r.packs.length;
      result.packsRepacked = plan.repackPacks.length;
      if (r.index) {
        supersededIndexFiles.push(r.index.id);
        oldIndexFiles.set(r.index.id, r.index.size);
      }
    }

    // 5. The new index: every pack that stays, written in full before the old one goes.
    progress.phase = 'rewrite-index';
    const leaving = new Set<Id>([...plan.removePacks, ...plan.repackPacks, ...plan.ignorePacks]);
    if (leaving.size > 0) {
      const staying: IndexPack[] = [];
      for (const [id, entries] of packs) if (!leaving.has(id)) staying.push({ id, blobs: entries as IndexPack['blobs'] });
      for (const p of newPacks) staying.push(p);
      const files = splitIndex(staying, indexMaxBlobs(repo.version));
      for (let i = 0; i < files.length; i++) {
        throwIfAborted(signal);
        const bytes = serializeIndex(i === 0 ? { supersedes: supersededIndexFiles, packs: files[i]! } : { packs: files[i]! });
        const saved = await repo.saveUnpacked('index', bytes, { signal });
        bytesWritten += saved.size;
        result.indexFilesWritten++;
        step('index-written');
      }
      await forEachLimited(supersededIndexFiles, concurrency, async (id) => {
        throwIfAborted(signal);
        await repo.backend.remove({ type: 'index', name: id });
        bytesDeleted += oldIndexFiles.get(id) ?? 0;
        result.indexFilesDeleted++;
        step('index-deleted');
      });
    }

    // 6. Only now: the packs nothing in the new index refers to.
    progress.phase = 'delete-packs';
    const doomed = [...plan.removePacks, ...plan.repackPacks];
    progress.filesToDelete = doomed.length;
    progress.filesDeleted = 0;
    await forEachLimited(doomed, concurrency, async (id) => {
      throwIfAborted(signal);
      await repo.backend.remove({ type: 'data', name: id });
      bytesDeleted += packSizes.get(id) ?? 0;
      result.packsDeleted++;
      progress.filesDeleted++;
      step('pack-deleted');
    });
    result.bytesFreed = bytesDeleted - bytesWritten;
    return finish(result);
  } finally {
    clearInterval(timer);
  }

  function finish(result: PruneResult): PruneResult {
    progress.phase = 'done';
    result.durationMs = Date.now() - started;
    report();
    return result;
  }
}

function sumSizes(ids: readonly Id[], sizes: ReadonlyMap<Id, number>): number {
  let total = 0;
  for (const id of ids) total += sizes.get(id) ?? 0;
  return total;
}

/** Index files of at most restic's blob count each (an empty repository gets one empty file). */
function splitIndex(packs: IndexPack[], maxBlobs: number): IndexPack[][] {
  const files: IndexPack[][] = [[]];
  let blobs = 0;
  for (const p of packs) {
    if (blobs > 0 && blobs + p.blobs.length > maxBlobs) {
      files.push([]);
      blobs = 0;
    }
    files[files.length - 1]!.push(p);
    blobs += p.blobs.length;
  }
  return files;
}
