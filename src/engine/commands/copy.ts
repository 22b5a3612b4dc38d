/**
 * The copy operation (restic 0.14's `copy`): snapshots of one repository are copied into
 * another with only the blobs the destination lacks. Every blob is read from the source,
 * verified and decrypted with the source's key, then stored through the destination's own
 * blob saver (its key, its compression, its packs). For each snapshot the packs and the
 * index are written before the snapshot file, so a crash never leaves a snapshot that
 * refers to missing data.
 *
 * Snapshots copied before are skipped with restic's rule: the destination has a snapshot
 * whose `original` (or own id) is the source snapshot's original id, with the same time,
 * tree, host, user, ids, paths, tags and excludes.
 */
import type { OperationOptions } from '../operation.ts';
import { drainQueue } from '../checker/work-queue.ts';
import { anySignal, ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError, throwIfAborted } from '../errors.ts';
import { formatTime, goJsonString, parseJson, serializeSnapshot, type Snapshot } from '../format/index.ts';
import { NULL_ID, type Id } from '../format/id.ts';
import { BlobSaver } from '../repository/blob-saver.ts';
import { withLock, withReadLock } from '../repository/lock.ts';
import type { BlobLocation, BlobType } from '../repository/master-index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { forEachLimited } from '../support/concurrency.ts';
import { findSnapshot, matchesFilter, type SnapshotFilter } from './find-snapshot.ts';

export type CopyPhase = 'lock' | 'index' | 'snapshots' | 'trees' | 'blobs' | 'flush' | 'snapshot' | 'done';

export interface CopyProgress {
  phase: CopyPhase;
  /** Source snapshots selected, and how many of them are done (copied or skipped). */
  snapshotsTotal: number;
  snapshotsDone: number;
  /** Blobs (trees and data) copied so far, and their plaintext bytes. */
  blobsCopied: number;
  bytesCopied: number;
  /** Stored bytes the destination grew by so far (packs and index files). */
  bytesWritten: number;
  elapsedMs: number;
}

export interface CopyOptions extends OperationOptions<CopyProgress> {
  /**
   * Source snapshots to copy: full ids, unique prefixes or `latest` (the newest that
   * passes `filter`). Empty or absent: every snapshot that passes `filter`.
   */
  snapshots?: readonly string[];
  /** Host, tag and path filter, applied to both repositories as restic does. */
  filter?: SnapshotFilter;
  /** Called when a snapshot was copied or skipped, for a log line per snapshot. */
  onSnapshot?: (outcome: CopiedSnapshot) => void;
}

export interface CopiedSnapshot {
  sourceId: Id;
  snapshot: Snapshot;
  /** `skipped`: the destination already holds a copy of it (`destinationId`). */
  status: 'copied' | 'skipped';
  destinationId: Id;
  /** Blobs this snapshot needed that the destination lacked, and their plaintext bytes. */
  blobsCopied: number;
  bytesCopied: number;
}

export interface CopyStats {
  dataBlobs: number;
  treeBlobs: number;
  /** Plaintext bytes of the copied blobs. */
  bytesCopied: number;
  packsWritten: number;
  indexFilesWritten: number;
  /** Everything the destination grew by: packs, index files and snapshot files. */
  bytesAdded: number;
  durationMs: number;
}

export interface CopyResult {
  snapshots: CopiedSnapshot[];
  copied: number;
  skipped: number;
  stats: CopyStats;
}

/** A blob to copy and where the source has it. */
interface Wanted {
  type: BlobType;
  id: Id;
  loc: BlobLocation;
}

export async function copy(source: Repository, destination: Repository, opts: CopyOptions = {}): Promise<CopyResult> {
  const started = Date.now();
  const saver = new BlobSaver(destination, { signal: opts.signal });
  const outcomes: CopiedSnapshot[] = [];
  let phase: CopyPhase = 'lock';
  let snapshotsTotal = 0;
  let blobsCopied = 0;
  let bytesCopied = 0;
  let snapshotBytes = 0;
  const report = () =>
    opts.onProgress?.({
      phase,
      snapshotsTotal,
      snapshotsDone: outcomes.length,
      blobsCopied,
      bytesCopied,
      bytesWritten: saver.stats.bytesWritten + snapshotBytes,
      elapsedMs: Date.now() - started,
    });
  const timer = opts.onProgress ? setInterval(report, opts.progressIntervalMs ?? 10_000) : undefined;
  timer?.unref();
  // Both locks shared, as restic: a copy only adds to the destination and only reads the
  // source, which read-only credentials may therefore serve without a lock.
  const lockOpts = { exclusive: false, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError, onLeftBehind: opts.onWarning };
  try {
    return await withReadLock(source, false, { ...opts, noLock: false }, (sourceLost) =>
      withLock(destination, lockOpts, async (destinationLock) => {
        // Either lock lost stops the copy before its next write.
        const signal = anySignal(opts.signal, sourceLost, destinationLock.lost);
        phase = 'index';
        await source.loadIndex({ signal });
        await destination.loadIndex({ signal });
        phase = 'snapshots';
        const selected = await selectSnapshots(source, opts, signal);
        snapshotsTotal = selected.length;
        const copies = copiesByOriginal(await destination.listSnapshots({ signal }), opts.filter ?? {});
        // Trees already walked for an earlier snapshot of this run: their blobs are queued or stored.
        const visitedTrees = new Set<Id>();
        for (const entry of selected) {
          throwIfAborted(signal);
          const original = entry.snapshot.original ?? entry.id;
          const earlier = copies.get(original)?.find((c) => similarSnapshots(c.snapshot, entry.snapshot));
          if (earlier) {
            recordOutcome({ sourceId: entry.id, snapshot: entry.snapshot, status: 'skipped', destinationId: earlier.id, blobsCopied: 0, bytesCopied: 0 });
            continue;
          }
          phase = 'trees';
          const wanted = await findMissingBlobs(source, destination, entry, visitedTrees, signal);
          phase = 'blobs';
          const before = { blobs: blobsCopied, bytes: bytesCopied };
          try {
            await copyBlobs(source, saver, wanted, signal, (bytes) => {
              blobsCopied++;
              bytesCopied += bytes;
            });
            phase = 'flush';
            await saver.flush();
          } catch (e) {
            // The packs already stored get an index: the next copy reuses them.
            await saver.salvage().catch(() => {});
            throw e;
          }
          phase = 'snapshot';
          throwIfAborted(signal);
          // restic drops the parent (it means nothing in another repository) and keeps the
          // first source's id as `original`, so that later copies can recognise it.
          const { parent: _parent, ...rest } = entry.snapshot;
          const snapshot: Snapshot = { ...rest, original };
          const saved = await destination.saveUnpacked('snapshot', await copiedSnapshotBytes(source, entry.id, snapshot, signal), { signal });
          snapshotBytes += saved.size;
          recordOutcome({
            sourceId: entry.id,
            snapshot,
            status: 'copied',
            destinationId: saved.id,
            blobsCopied: blobsCopied - before.blobs,
            bytesCopied: bytesCopied - before.bytes,
          });
        }
        phase = 'done';
        report();
        const copied = outcomes.filter((o) => o.status === 'copied').length;
        return {
          snapshots: outcomes,
          copied,
          skipped: outcomes.length - copied,
          stats: {
            dataBlobs: saver.stats.dataBlobs,
            treeBlobs: saver.stats.treeBlobs,
            bytesCopied,
            packsWritten: saver.stats.packsWritten,
            indexFilesWritten: saver.stats.indexFilesWritten,
            bytesAdded: saver.stats.bytesWritten + snapshotBytes,
            durationMs: Date.now() - started,
          },
        };
      }),
    );
  } catch (e) {
    throwIfAborted(opts.signal);
    throw e;
  } finally {
    clearInterval(timer);
  }

  function recordOutcome(o: CopiedSnapshot): void {
    outcomes.push(o);
    opts.onSnapshot?.(o);
  }
}

/**
 * The copy's bytes, with its time written as the source wrote it: restic keeps a snapshot's
 * UTC offset when it copies one, and forget's hourly and daily buckets depend on it.
 */
async function copiedSnapshotBytes(source: Repository, sourceId: Id, snapshot: Snapshot, signal: AbortSignal): Promise<Uint8Array> {
  const bytes = serializeSnapshot(snapshot);
  const written = (parseJson(await source.loadUnpacked('snapshot', sourceId, { signal }), 'snapshot') as { time?: unknown }).time;
  const text = new TextDecoder().decode(bytes);
  const ours = `{"time":"${formatTime(snapshot.time)}"`;
  if (typeof written !== 'string' || !text.startsWith(ours)) return bytes;
  return new TextEncoder().encode(`{"time":${goJsonString(written)}${text.slice(ours.length)}`);
}

/** The source snapshots to copy, oldest first, each once: by reference, or all that pass the filter. */
async function selectSnapshots(source: Repository, opts: CopyOptions, signal: AbortSignal): Promise<SnapshotEntry[]> {
  const filter = opts.filter ?? {};
  if (!opts.snapshots?.length) return (await source.listSnapshots({ signal })).filter((s) => matchesFilter(s, filter));
  const byId = new Map<Id, SnapshotEntry>();
  // As restic: the filter narrows `latest` only; an id names its snapshot whatever the filter.
  for (const ref of opts.snapshots) {
    const found = await findSnapshot(source, ref, filter, { signal });
    byId.set(found.id, found);
  }
  return [...byId.values()].sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : 0));
}

/** Destination snapshots that pass the filter, by their original id and by their own id. */
function copiesByOriginal(snapshots: readonly SnapshotEntry[], filter: SnapshotFilter): Map<Id, SnapshotEntry[]> {
  const byOriginal = new Map<Id, SnapshotEntry[]>();
  const add = (key: Id, s: SnapshotEntry) => {
    const list = byOriginal.get(key);
    if (list) list.push(s);
    else byOriginal.set(key, [s]);
  };
  for (const s of snapshots) {
    if (!matchesFilter(s, filter)) continue;
    if (s.snapshot.original !== undefined && s.snapshot.original !== NULL_ID) add(s.snapshot.original, s);
    // A copy made by something that kept the file as it was has the same id.
    add(s.id, s);
  }
  return byOriginal;
}

/**
 * restic 0.14's test for "already copied": everything but parent and original matches.
 * Paths and tags are compared as sets of the same length; excludes in order.
 */
export function similarSnapshots(a: Snapshot, b: Snapshot): boolean {
  if (a.time !== b.time || a.tree !== b.tree) return false;
  if ((a.hostname ?? '') !== (b.hostname ?? '') || (a.username ?? '') !== (b.username ?? '')) return false;
  if ((a.uid ?? 0) !== (b.uid ?? 0) || (a.gid ?? 0) !== (b.gid ?? 0)) return false;
  const aTags = a.tags ?? [];
  const bTags = b.tags ?? [];
  const aExcludes = a.excludes ?? [];
  const bExcludes = b.excludes ?? [];
  if (a.paths.length !== b.paths.length || aTags.length !== bTags.length || aExcludes.length !== bExcludes.length) return false;
  if (!b.paths.every((p) => a.paths.includes(p)) || !bTags.every((t) => aTags.includes(t))) return false;
  return aExcludes.every((e, i) => e === bExcludes[i]);
}

/**
 * Walks the snapshot's trees in the source (each tree once per run) and lists the tree
 * and data blobs the destination lacks, with their places in the source.
 */
async function findMissingBlobs(
  source: Repository,
  destination: Repository,
  entry: SnapshotEntry,
  visitedTrees: Set<Id>,
  signal: AbortSignal,
): Promise<Wanted[]> {
  const wanted: Wanted[] = [];
  const queued = new Set<string>();
  const want = (type: BlobType, id: Id, where: string) => {
    if (destination.index.has(type, id) || queued.has(type + id)) return;
    const loc = source.index.lookup(type, id);
    if (!loc) {
      throw new ChunkvaultError(
        ErrorCode.Integrity,
        `${where} is not in the source repository's index: snapshot ${entry.id} cannot be copied (run check on the source); nothing of it was written`,
      );
    }
    queued.add(type + id);
    wanted.push({ type, id, loc });
  };
  const root = entry.snapshot.tree;
  if (visitedTrees.has(root)) return wanted;
  visitedTrees.add(root);
  await drainQueue([root], Math.max(2, source.backend.connections), async (treeId, push) => {
    throwIfAborted(signal);
    want('tree', treeId, `tree ${treeId}`);
    let nodes;
    try {
      nodes = await source.loadTree(treeId, { signal });
    } catch (e) {
      if (isChunkvaultError(e, ErrorCode.Aborted)) throw e;
      throw new ChunkvaultError(ErrorCode.Integrity, `tree ${treeId} of snapshot ${entry.id} cannot be read from the source: ${errorMessage(e)}`, { cause: e });
    }
    for (const n of nodes) {
      if (n.type === 'file') {
        for (const id of n.content ?? []) want('data', id, `data blob ${id} of "${n.name}" in tree ${treeId}`);
      } else if (n.type === 'dir' && n.subtree !== undefined && n.subtree !== NULL_ID && !visitedTrees.has(n.subtree)) {
        visitedTrees.add(n.subtree);
        push(n.subtree);
      }
    }
  });
  return wanted;
}

/**
 * Copies the blobs pack by pack: one read per source pack (from its first wanted blob to
 * its last), each blob verified and decrypted, then handed to the destination's saver,
 * whose byte budget holds the reads back when the destination is slower.
 */
async function copyBlobs(source: Repository, saver: BlobSaver, wanted: readonly Wanted[], signal: AbortSignal, onBlob: (plainBytes: number) => void): Promise<void> {
  const byPack = new Map<Id, Wanted[]>();
  for (const w of wanted) {
    const list = byPack.get(w.loc.packId);
    if (list) list.push(w);
    else byPack.set(w.loc.packId, [w]);
  }
  await forEachLimited([...byPack.keys()], Math.max(1, source.backend.connections), async (packId) => {
    throwIfAborted(signal);
    const blobs = byPack.get(packId)!.sort((a, b) => a.loc.offset - b.loc.offset);
    const start = blobs[0]!.loc.offset;
    let end = 0;
    for (const b of blobs) end = Math.max(end, b.loc.offset + b.loc.length);
    const bytes = await source.backend.load({ type: 'data', name: packId }, end - start, start, { signal });
    for (const b of blobs) {
      const sealed = bytes.subarray(b.loc.offset - start, b.loc.offset - start + b.loc.length);
      let plain = await source.decodeBlob(b.id, b.loc, sealed);
      // The saver takes the buffer over (it may move it to a worker): it must be the blob's own.
      if (plain.byteOffset !== 0 || plain.byteLength !== plain.buffer.byteLength) plain = plain.slice();
      const length = plain.byteLength;
      await saver.save(b.type, plain, b.id);
      onBlob(length);
    }
  });
}
