/**
 * Deciding what a prune does, from the index, the pack listing and the set of used blobs,
 * with restic 0.14's rules (cmd_prune.go: packInfoFromIndex, decidePackAction):
 *   - packs no index names are deleted first (a crashed writer's leftovers);
 *   - packs with no used blob are deleted;
 *   - packs holding trees mixed with data, uncompressed trees in a v2 repository, or many
 *     tiny packs are repacked;
 *   - partly used data packs are repacked, the emptiest first, until the unused data left
 *     is within `max-unused`;
 *   - of a blob stored several times, one copy counts as used, preferably one in a pack
 *     that is kept anyway.
 * Pure: no I/O, so that it can be tested on made-up repositories and runs as a dry run.
 */
import { ChunkvaultError, ErrorCode, throwIfAborted } from '../errors.ts';
import type { IndexBlob } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { BlobKey, BlobType } from '../repository/master-index.ts';
import { DEFAULT_PACK_SIZE_BYTES, expectedPackSize } from '../repository/pack.ts';
import type { MaxUnused } from './max-unused.ts';

/** Pack id → every index entry for it (as the checker's pack table holds them). */
export type PackEntries = ReadonlyMap<Id, readonly IndexBlob[]>;

export interface PlanInput {
  packs: PackEntries;
  /** Every pack file in the repository with its size, from listing `data/`. */
  packSizes: ReadonlyMap<Id, number>;
  /**
   * The blob index's key for (type, id), whichever copy it points at (MasterIndex.key):
   * it stands for the blob, so that no key string is built per index entry.
   */
  key: (type: BlobType, id: Id) => BlobKey | undefined;
  /** The keys of the blobs snapshots use. */
  used: ReadonlySet<BlobKey>;
  repositoryVersion: number;
  maxUnused: MaxUnused;
  /** Stop choosing packs to repack once this many bytes are chosen. @default unlimited */
  maxRepackBytes?: number;
  /** Repack data packs with uncompressed blobs (v2 repositories). @default false */
  repackUncompressed?: boolean;
  /** @default 16 MiB, restic's */
  packSizeBytes?: number;
  signal?: AbortSignal;
}

export interface CountAndSize {
  blobs: number;
  bytes: number;
}

export interface PruneStats {
  used: CountAndSize;
  /** Second and further copies of used blobs. */
  duplicate: CountAndSize;
  unused: CountAndSize;
  /** In packs deleted whole. */
  remove: CountAndSize;
  /** In packs to repack, everything. */
  repack: CountAndSize;
  /** In packs to repack, what is dropped. */
  repackRemove: CountAndSize;
  /** Bytes of packs no index names. */
  unreferencedBytes: number;
  packs: {
    used: number;
    partlyUsed: number;
    unused: number;
    unreferenced: number;
    keep: number;
    repack: number;
    remove: number;
  };
}

export interface PrunePlan {
  /** Packs no index names, deleted before anything else. */
  removeUnreferenced: Id[];
  /** Packs whose blobs are all unused. */
  removePacks: Id[];
  /** Packs whose used blobs are copied into new packs before the pack is deleted. */
  repackPacks: Id[];
  /** Packs the index names that do not exist and hold nothing used: dropped from the index. */
  ignorePacks: Id[];
  /** The blobs (as index keys) to copy out of the packs being repacked. */
  keepBlobs: Set<BlobKey>;
  stats: PruneStats;
}

interface PackInfo {
  usedBlobs: number;
  unusedBlobs: number;
  usedSize: number;
  unusedSize: number;
  type: BlobType | 'mixed' | undefined;
  uncompressed: boolean;
}

/** Builds the plan; throws when the repository is missing data that snapshots need. */
export function planPrune(input: PlanInput): PrunePlan {
  const { packs, packSizes, key: keyOf, used, signal } = input;
  const packSize = input.packSizeBytes ?? DEFAULT_PACK_SIZE_BYTES;
  const maxRepackBytes = input.maxRepackBytes ?? Number.POSITIVE_INFINITY;
  const stats = emptyStats();

  // Pass 1: which handles are used, and which are stored more than once.
  const seenUsed = new Set<BlobKey>();
  // Copies of a used blob still to be assigned; 0 once one copy has been counted as used.
  const duplicates = new Map<BlobKey, number>();
  for (const entries of packs.values()) {
    for (const b of entries) {
      const key = keyOf(b.type, b.id);
      if (key === undefined || !used.has(key)) {
        stats.unused.blobs++;
        stats.unused.bytes += b.length;
        continue;
      }
      if (!seenUsed.has(key)) {
        seenUsed.add(key);
        stats.used.blobs++;
        stats.used.bytes += b.length;
      } else {
        duplicates.set(key, Math.min(255, (duplicates.get(key) ?? 1) + 1));
        stats.duplicate.blobs++;
        stats.duplicate.bytes += b.length;
      }
    }
  }
  seenUsed.clear();
  throwIfAborted(signal);

  // Pass 2: per pack, used and unused bytes (the header counts as used).
  const info = new Map<Id, PackInfo>();
  for (const [packId, entries] of packs) {
    const p: PackInfo = { usedBlobs: 0, unusedBlobs: 0, usedSize: headerSize(entries), unusedSize: 0, type: undefined, uncompressed: false };
    for (const b of entries) {
      p.type = p.type === undefined || p.type === b.type ? b.type : 'mixed';
      if (!b.uncompressedLength) p.uncompressed = true;
      const key = keyOf(b.type, b.id);
      const isUsedBlob = key !== undefined && used.has(key);
      if (isUsedBlob && duplicates.has(key)) continue;
      if (isUsedBlob) {
        p.usedBlobs++;
        p.usedSize += b.length;
      } else {
        p.unusedBlobs++;
        p.unusedSize += b.length;
      }
    }
    info.set(packId, p);
  }
  // Pass 3: one copy of each duplicate is used: the first in a pack that has other used
  // blobs (it is likely kept), else the last one met.
  if (duplicates.size > 0) {
    for (const [packId, entries] of packs) {
      const p = info.get(packId)!;
      for (const b of entries) {
        const key = keyOf(b.type, b.id);
        const count = key === undefined ? undefined : duplicates.get(key);
        if (count === undefined) continue;
        if (count !== 0 && (p.usedBlobs > 0 || count === 1)) {
          p.usedBlobs++;
          p.usedSize += b.length;
          duplicates.set(key!, 0);
        } else {
          p.unusedBlobs++;
          p.unusedSize += b.length;
          if (count !== 0) duplicates.set(key!, count - 1);
        }
      }
    }
  }
  throwIfAborted(signal);

  const removeUnreferenced: Id[] = [];
  const removePacks: Id[] = [];
  const repackPacks: Id[] = [];
  const ignorePacks: Id[] = [];
  const candidates: { id: Id; p: PackInfo; mustRepack: boolean }[] = [];
  const smallCandidates: { id: Id; p: PackInfo; mustRepack: boolean }[] = [];
  // Only tiny packs are worth merging by default (restic: 1/25 of the target size).
  const smallPackBytes = Math.floor(packSize / 25);

  for (const [packId, actualSize] of packSizes) {
    const p = info.get(packId);
    if (!p) {
      removeUnreferenced.push(packId);
      stats.unreferencedBytes += actualSize;
      continue;
    }
    if (p.usedBlobs > 0 && p.usedSize + p.unusedSize !== actualSize) {
      throw new ChunkvaultError(
        ErrorCode.Integrity,
        `pack ${packId} has ${actualSize} bytes but the index describes ${p.usedSize + p.unusedSize}: prune stopped before changing anything; run check, and \`restic rebuild-index\` to repair the index`,
      );
    }
    if (p.usedBlobs === 0) stats.packs.unused++;
    else if (p.unusedBlobs === 0) stats.packs.used++;
    else stats.packs.partlyUsed++;

    // v2: uncompressed trees are always recompressed; data only when asked.
    const mustCompress = input.repositoryVersion >= 2 && p.uncompressed && (p.type === 'tree' || input.repackUncompressed === true);
    if (p.usedBlobs === 0) {
      removePacks.push(packId);
      stats.remove.blobs += p.unusedBlobs;
      stats.remove.bytes += p.unusedSize;
    } else if (p.unusedBlobs === 0 && p.type !== 'mixed' && !mustCompress) {
      if (actualSize >= smallPackBytes) stats.packs.keep++;
      else smallCandidates.push({ id: packId, p, mustRepack: false });
    } else {
      candidates.push({ id: packId, p, mustRepack: mustCompress });
    }
  }

  for (const [packId, p] of info) {
    if (packSizes.has(packId)) continue;
    if (p.usedBlobs > 0) {
      const missing = [...info].filter(([id, q]) => !packSizes.has(id) && q.usedBlobs > 0).map(([id]) => id);
      throw new ChunkvaultError(
        ErrorCode.Integrity,
        `the index names ${missing.length} pack(s) that snapshots need but that do not exist (first ${missing[0]}): prune stopped before changing anything; run check to see which snapshots are affected`,
      );
    }
    ignorePacks.push(packId);
    stats.remove.blobs += p.unusedBlobs;
    stats.remove.bytes += p.unusedSize;
  }

  // A few small packs are left alone: merging them is not worth a repack on every run.
  if (smallCandidates.length < 10) stats.packs.keep += smallCandidates.length;
  else candidates.push(...smallCandidates);

  const total = (p: PackInfo) => p.usedSize + p.unusedSize;
  candidates.sort((a, b) => {
    // Trees and mixed packs first, then tiny packs, then the largest unused share.
    const aData = a.p.type === 'data';
    const bData = b.p.type === 'data';
    if (aData !== bData) return aData ? 1 : -1;
    const aSmall = total(a.p) < smallPackBytes;
    const bSmall = total(b.p) < smallPackBytes;
    if (aSmall !== bSmall) return aSmall ? -1 : 1;
    return b.p.unusedSize * a.p.usedSize - a.p.unusedSize * b.p.usedSize;
  });

  const maxUnusedAfter = input.maxUnused(stats.used.bytes);
  for (const { id, p, mustRepack } of candidates) {
    const unusedAfter = stats.unused.bytes - stats.remove.bytes - stats.repackRemove.bytes;
    if (stats.repack.bytes + total(p) >= maxRepackBytes) {
      stats.packs.keep++;
    } else if (p.type !== 'data' || mustRepack) {
      chooseRepack(id, p);
    } else if (unusedAfter < maxUnusedAfter && total(p) >= smallPackBytes) {
      stats.packs.keep++;
    } else {
      chooseRepack(id, p);
    }
  }
  stats.packs.unreferenced = removeUnreferenced.length;
  stats.packs.repack = repackPacks.length;
  stats.packs.remove = removePacks.length;

  function chooseRepack(id: Id, p: PackInfo): void {
    repackPacks.push(id);
    stats.repack.blobs += p.usedBlobs + p.unusedBlobs;
    stats.repack.bytes += total(p);
    stats.repackRemove.blobs += p.unusedBlobs;
    stats.repackRemove.bytes += p.unusedSize;
  }

  // The used blobs of repacked packs that no kept pack also holds must be copied.
  const keepBlobs = new Set<BlobKey>();
  if (repackPacks.length > 0) {
    for (const id of repackPacks) {
      for (const b of packs.get(id)!) {
        const key = keyOf(b.type, b.id);
        if (key !== undefined && used.has(key)) keepBlobs.add(key);
      }
    }
    const leaving = new Set<Id>([...repackPacks, ...removePacks]);
    for (const [id, entries] of packs) {
      if (leaving.has(id) || !packSizes.has(id)) continue;
      for (const b of entries) {
        const key = keyOf(b.type, b.id);
        if (key !== undefined) keepBlobs.delete(key);
      }
    }
  }

  return { removeUnreferenced, removePacks, repackPacks, ignorePacks, keepBlobs, stats };
}

/** Bytes of a pack that are not blobs: the sealed header and its length field. */
function headerSize(entries: readonly IndexBlob[]): number {
  let blobs = 0;
  for (const b of entries) blobs += b.length;
  return expectedPackSize(entries) - blobs;
}

function emptyStats(): PruneStats {
  const z = () => ({ blobs: 0, bytes: 0 });
  return {
    used: z(),
    duplicate: z(),
    unused: z(),
    remove: z(),
    repack: z(),
    repackRemove: z(),
    unreferencedBytes: 0,
    packs: { used: 0, partlyUsed: 0, unused: 0, unreferenced: 0, keep: 0, repack: 0, remove: 0 },
  };
}
