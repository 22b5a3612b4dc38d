/**
 * Repacking: the used blobs of packs chosen for repacking are copied into new packs, and
 * the new packs are indexed, before anything is deleted. Every blob is decrypted and its
 * hash checked on the way (a damaged blob is never copied as if it were good); its sealed
 * bytes are reused as they are unless it must be compressed (uncompressed trees in a v2
 * repository, or data with `repackUncompressed`).
 */
import { ZSTD_LEVEL } from '../compress/zstd.ts';
import { compressBlob } from '../blob-codec/blob-codec.ts';
import { forEachLimited } from '../support/concurrency.ts';
import { seal } from '../crypto/index.ts';
import { ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError, throwIfAborted } from '../errors.ts';
import { serializeIndex, type IndexBlob, type IndexPack } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { BlobKey, BlobType, MasterIndex } from '../repository/master-index.ts';
import { DEFAULT_PACK_SIZE_BYTES, Packer } from '../repository/pack.ts';
import type { Repository } from '../repository/repository.ts';
import type { PackEntries } from './plan.ts';
import type { PruneStep } from './steps.ts';

export interface RepackOptions {
  /** Packs read at once. */
  concurrency: number;
  repackUncompressed: boolean;
  packSizeBytes?: number;
  signal?: AbortSignal;
  onStep?: (step: PruneStep) => void;
  onPackRepacked?: () => void;
}

export interface RepackResult {
  /** The new packs with their blobs, already in an index file of their own. */
  packs: IndexPack[];
  /** That index file and its size. */
  index: { id: Id; size: number } | undefined;
  bytesWritten: number;
}

export async function repack(
  repo: Repository,
  entries: PackEntries,
  /** Where each blob is; a second copy is tried when the one being repacked is damaged. */
  blobIndex: MasterIndex,
  repackPacks: readonly Id[],
  /** The blobs to copy, as `blobIndex`'s keys; emptied as they are copied. */
  keepBlobs: Set<BlobKey>,
  opts: RepackOptions,
): Promise<RepackResult> {
  const packSize = opts.packSizeBytes ?? DEFAULT_PACK_SIZE_BYTES;
  const packers: Record<BlobType, Packer> = { data: new Packer('data'), tree: new Packer('tree') };
  const written: IndexPack[] = [];
  let bytesWritten = 0;

  const upload = async (packer: Packer) => {
    const pack = packer.finish(repo.key);
    await repo.backend.save({ type: 'data', name: pack.id }, pack.parts, { signal: opts.signal });
    written.push({ id: pack.id, blobs: pack.blobs });
    bytesWritten += pack.size;
    opts.onStep?.('pack-written');
  };

  await forEachLimited(repackPacks, opts.concurrency, async (packId) => {
    throwIfAborted(opts.signal);
    const wanted = entries.get(packId)!.filter((b) => keepBlobs.has(blobIndex.key(b.type, b.id)!));
    if (wanted.length > 0) {
      // One read from the first wanted blob to the end of the last (a loop: a pack may hold
      // more blobs than a spread argument list allows).
      let start = Number.POSITIVE_INFINITY;
      let end = 0;
      for (const b of wanted) {
        start = Math.min(start, b.offset);
        end = Math.max(end, b.offset + b.length);
      }
      const bytes = await repo.backend.load({ type: 'data', name: packId }, end - start, start, { signal: opts.signal });
      for (const b of wanted) {
        const key = blobIndex.key(b.type, b.id)!;
        // Another pack being repacked may hold the same blob: copy it once.
        if (!keepBlobs.has(key)) continue;
        const copy = await verifiedCopy(repo, blobIndex, packId, b, bytes.subarray(b.offset - start, b.offset - start + b.length), opts);
        if (!keepBlobs.delete(key)) continue;
        const packer = packers[b.type];
        packer.add(b.id, copy.sealed, copy.uncompressedLength);
        if (packer.size >= packSize || packer.headerFull) {
          packers[b.type] = new Packer(b.type);
          await upload(packer);
        }
      }
    }
    opts.onPackRepacked?.();
  });
  for (const type of ['data', 'tree'] as const) if (packers[type].count > 0) await upload(packers[type]);
  if (keepBlobs.size > 0) {
    throw new ChunkvaultError(ErrorCode.Internal, `repack: ${keepBlobs.size} blob(s) to keep were not found in the packs being repacked; nothing was deleted`);
  }
  let index: RepackResult['index'];
  if (written.length > 0) {
    index = await repo.saveUnpacked('index', serializeIndex({ packs: written }), { signal: opts.signal });
    bytesWritten += index.size;
    opts.onStep?.('repack-index-written');
  }
  return { packs: written, index, bytesWritten };
}

interface Copy {
  sealed: Uint8Array;
  uncompressedLength: number | undefined;
}

async function verifiedCopy(
  repo: Repository,
  index: MasterIndex,
  packId: Id,
  b: IndexBlob,
  sealed: Uint8Array,
  opts: RepackOptions,
): Promise<Copy> {
  const loc = { packId, type: b.type, offset: b.offset, length: b.length, uncompressedLength: b.uncompressedLength ?? 0 };
  let plain: Uint8Array;
  try {
    plain = await repo.decodeBlob(b.id, loc, sealed);
  } catch (e) {
    if (isChunkvaultError(e, ErrorCode.Aborted)) throw e;
    // A good copy elsewhere will do.
    const other = index.lookup(b.type, b.id);
    if (other && other.packId !== packId) {
      try {
        const otherSealed = await repo.backend.load({ type: 'data', name: other.packId }, other.length, other.offset, { signal: opts.signal });
        await repo.decodeBlob(b.id, other, otherSealed);
        return { sealed: otherSealed, uncompressedLength: other.uncompressedLength || undefined };
      } catch {
        // Fall through to the original failure.
      }
    }
    throw new ChunkvaultError(
      ErrorCode.Integrity,
      `${b.type} blob ${b.id} in pack ${packId} is damaged (${errorMessage(e)}) and no good copy exists: prune stopped before deleting anything it was repacking; run check`,
      { cause: e },
    );
  }
  const compressed = (b.uncompressedLength ?? 0) > 0;
  const mustCompress = repo.version >= 2 && !compressed && (b.type === 'tree' || opts.repackUncompressed);
  if (!mustCompress) return { sealed, uncompressedLength: b.uncompressedLength };
  // Incompressible data stays raw, as the backup path stores it.
  const level = ZSTD_LEVEL[repo.compression === 'off' ? 'auto' : repo.compression];
  const { stored, compressed: nowCompressed } = compressBlob(plain, { level, rawIfLarger: b.type === 'data' });
  if (!nowCompressed) return { sealed, uncompressedLength: undefined };
  return { sealed: seal(repo.key, stored), uncompressedLength: plain.byteLength };
}
