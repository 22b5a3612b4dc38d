/**
 * The write path for blobs: dedup against the index and against blobs in flight, compress
 * on libuv's thread pool, seal, collect into packs of one type, upload finished packs, and
 * write index files for packs once they are stored. Memory is bounded twice: callers wait
 * in `save` while too many plaintext bytes are between "accepted" and "in a pack", and a
 * blob waits to enter a pack while too many stored bytes are in open packs and uploads, so
 * that on a slow link finished packs cannot pile up while chunking runs ahead.
 *
 * Durability order (restic-format.md 8): a pack is in the master index only after its
 * upload completed, and `flush` writes the index files only after every pack is stored,
 * so a snapshot saved after `flush` never points at missing data.
 */
import { availableParallelism } from 'node:os';
import type { CallOptions } from '../storage/backend.ts';
import { ZSTD_LEVEL } from '../compress/zstd.ts';
import { Semaphore } from '../support/concurrency.ts';
import { finishSealedBlob, sealBlob } from '../blob-codec/blob-codec.ts';
import { sharedBlobEncoderPool } from '../blob-codec/encoder-pool.ts';
import { ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError, throwIfAborted } from '../errors.ts';
import { serializeIndex, type IndexPack } from '../format/index.ts';
import { idOf, type Id } from '../format/id.ts';
import type { BlobType } from './master-index.ts';
import { DEFAULT_PACK_SIZE_BYTES, Packer, type FinishedPack } from './pack.ts';
import type { Repository } from './repository.ts';

/** restic writes at most this many blobs per index file: 50,000, three times that in v2 (compressed). */
export function indexMaxBlobs(repositoryVersion: number): number {
  return repositoryVersion >= 2 ? 150_000 : 50_000;
}
/** restic also writes an index file when the current one is this old. */
const INDEX_MAX_AGE_MS = 10 * 60 * 1000;
/** Blobs up to this size are compressed and sealed inline: a message to a worker costs more. */
const INLINE_ENCODE_MAX_BYTES = 2 * 1024;

export interface BlobSaverOptions extends CallOptions {
  /** Target pack size. @default 16 MiB, as restic */
  packSizeBytes?: number;
  /** Plaintext bytes accepted but not yet in a pack. @default 32 MiB */
  maxInFlightBytes?: number;
  /** Concurrent pack uploads. @default the backend's connection count */
  uploadConcurrency?: number;
  /** Blobs queued for the encoder workers at once (the byte budget bounds memory). @default 64 per core */
  encodeConcurrency?: number;
  /** Called after each pack is stored. */
  onPackSaved?: (pack: { id: Id; size: number; blobs: number }) => void;
}

export interface BlobSaverStats {
  dataBlobs: number;
  treeBlobs: number;
  /** Plaintext bytes of new data blobs. */
  dataAdded: number;
  /** Stored bytes of new blobs (data and tree), after compression and encryption. */
  dataAddedPacked: number;
  packsWritten: number;
  indexFilesWritten: number;
  /** Everything this saver stored: packs plus index files. */
  bytesWritten: number;
}

export class BlobSaver {
  readonly #repo: Repository;
  readonly #packSize: number;
  readonly #signal: AbortSignal | undefined;
  readonly #budget: Semaphore;
  readonly #uploads: Semaphore;
  readonly #encoders: Semaphore;
  readonly #onPackSaved: BlobSaverOptions['onPackSaved'];
  readonly #packers: Record<BlobType, Packer>;
  /** Stored bytes in open packers and in packs being uploaded: two open packs and one per upload. */
  readonly #packBudget: Semaphore;
  /** What the blobs of each open packer hold of #packBudget, handed to its upload when it is finished. */
  readonly #packerBudget: Record<BlobType, number> = { data: 0, tree: 0 };
  /**
   * The most one blob may take of #packBudget: all of it but what the two open packers can
   * hold (each stays under a pack's size), so that an oversized blob is served, not stuck.
   */
  readonly #maxPackRequest: number;
  /** Blobs accepted but not yet in the master index, keyed by type and id. */
  readonly #pending = new Set<string>();
  readonly #tasks = new Set<Promise<void>>();
  #unindexed: IndexPack[] = [];
  #unindexedBlobs = 0;
  #indexedAt = Date.now();
  #failure: unknown;
  readonly stats: BlobSaverStats = {
    dataBlobs: 0,
    treeBlobs: 0,
    dataAdded: 0,
    dataAddedPacked: 0,
    packsWritten: 0,
    indexFilesWritten: 0,
    bytesWritten: 0,
  };

  constructor(repo: Repository, opts: BlobSaverOptions = {}) {
    this.#repo = repo;
    this.#packSize = opts.packSizeBytes ?? DEFAULT_PACK_SIZE_BYTES;
    this.#signal = opts.signal;
    const uploadConcurrency = opts.uploadConcurrency ?? repo.backend.connections;
    // Encoding needs room to stay busy; two open packs and the uploads hold the rest.
    this.#budget = new Semaphore(opts.maxInFlightBytes ?? 32 * 1024 * 1024);
    const packBudget = (2 + uploadConcurrency) * this.#packSize;
    this.#packBudget = new Semaphore(packBudget);
    this.#maxPackRequest = Math.max(1, packBudget - 2 * this.#packSize);
    this.#uploads = new Semaphore(uploadConcurrency);
    // Enough blobs in flight for the worker pool to batch small ones and stay busy.
    this.#encoders = new Semaphore(opts.encodeConcurrency ?? 64 * availableParallelism());
    this.#onPackSaved = opts.onPackSaved;
    this.#packers = { data: new Packer('data'), tree: new Packer('tree') };
  }

  /** Whether the repository has this blob, or this saver has accepted it. */
  known(type: BlobType, id: Id): boolean {
    return this.#repo.index.has(type, id) || this.#pending.has(type + id);
  }

  /**
   * Stores a blob unless it is known. Resolves when the blob has been accepted, which can
   * be before it is durable: `flush` makes it durable. Returns true if the blob was new.
   * The saver takes over `data`: the caller must not change or reuse it.
   */
  async save(type: BlobType, data: Uint8Array, id: Id = idOf(data)): Promise<boolean> {
    this.#rethrow();
    throwIfAborted(this.#signal);
    if (this.known(type, id)) return false;
    this.#pending.add(type + id);
    const taken = await this.#budget.acquire(data.byteLength);
    if (this.#failure !== undefined) {
      this.#budget.release(taken);
      this.#rethrow();
    }
    const task = this.#store(type, id, data)
      .catch((e: unknown) => {
        this.#failure ??= isChunkvaultError(e)
          ? e
          : new ChunkvaultError(ErrorCode.Internal, `storing ${type} blob ${id}: ${errorMessage(e)}`, { cause: e });
      })
      .finally(() => {
        this.#budget.release(taken);
        this.#tasks.delete(task);
      });
    this.#tasks.add(task);
    return true;
  }

  /** Packs and stores everything accepted, then writes index files for the new packs. */
  async flush(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
    this.#rethrow();
    for (const type of ['data', 'tree'] as const) {
      const packer = this.#packers[type];
      if (packer.count > 0) await this.#finishPacker(type);
    }
    await this.#writeIndex(this.#signal);
  }

  /**
   * After a failure or cancellation: lets work in flight settle, then indexes the packs
   * that were stored, so the next backup reuses their data instead of storing it again
   * (and no pack is left unreferenced). Blobs still in an unfinished pack are dropped.
   */
  async salvage(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    // Without the saver's signal: after a cancellation, this index is what lets the next
    // run reuse the stored packs.
    await this.#writeIndex(undefined);
  }

  async #store(type: BlobType, id: Id, data: Uint8Array): Promise<void> {
    // Room in the open packs and uploads first, reserved at the plaintext size (the most the
    // stored blob can need, near enough) and trimmed to the stored size once it is known.
    // When uploads are slow, this is where the backup waits, before any encoding work.
    // Read before encoding: the encoder workers take the buffer over (it is detached here).
    const plainLength = data.byteLength;
    const held = await this.#packBudget.acquire(Math.min(plainLength, this.#maxPackRequest));
    let encoded: { sealed: Uint8Array; uncompressedLength: number | undefined };
    try {
      encoded = await this.#encode(type, data);
      throwIfAborted(this.#signal);
    } catch (e) {
      this.#packBudget.release(held);
      throw e;
    }
    const { sealed, uncompressedLength } = encoded;
    const packer = this.#packers[type];
    packer.add(id, sealed, uncompressedLength);
    // A packer is finished by stored size, so it keeps only the stored bytes: with
    // compressible data it would otherwise hold budget its pack could never fill.
    const kept = Math.min(held, sealed.byteLength);
    this.#packerBudget[type] += kept;
    this.#packBudget.release(held - kept);
    if (type === 'data') {
      this.stats.dataBlobs++;
      this.stats.dataAdded += plainLength;
    } else {
      this.stats.treeBlobs++;
    }
    this.stats.dataAddedPacked += sealed.byteLength;
    if (packer.size >= this.#packSize || packer.headerFull) await this.#finishPacker(type);
  }

  /** Compresses (when it pays) and seals a blob; small ones inline, the rest on the worker pool. */
  async #encode(type: BlobType, data: Uint8Array): Promise<{ sealed: Uint8Array; uncompressedLength: number | undefined }> {
    const compressible = type === 'tree' ? this.#repo.version >= 2 : this.#repo.compressesData;
    const plainLength = data.byteLength;
    // Incompressible data blobs are kept raw: smaller, and faster to restore. Trees are
    // always compressed, since restic's prune repacks uncompressed trees in v2.
    const rawIfLarger = type === 'data';
    const store = { level: compressible ? ZSTD_LEVEL[this.#repo.compression] : 0, rawIfLarger };
    let sealed: Uint8Array;
    let compressed: boolean;
    if (plainLength <= INLINE_ENCODE_MAX_BYTES) {
      ({ sealed, compressed } = sealBlob(this.#repo.key, data, store));
    } else {
      await this.#encoders.acquire();
      try {
        const encoded = await sharedBlobEncoderPool().encode(data, { encryptKey: this.#repo.key.encrypt, ...store });
        compressed = encoded.compressed;
        sealed = finishSealedBlob(this.#repo.key, encoded.framed);
      } finally {
        this.#encoders.release();
      }
    }
    return { sealed, uncompressedLength: compressed ? plainLength : undefined };
  }

  /** Starts a new packer of this type and uploads the full one with the budget its blobs hold. */
  async #finishPacker(type: BlobType): Promise<void> {
    const packer = this.#packers[type];
    const budget = this.#packerBudget[type];
    this.#packers[type] = new Packer(type);
    this.#packerBudget[type] = 0;
    try {
      await this.#upload(packer.finish(this.#repo.key));
    } finally {
      this.#packBudget.release(budget);
    }
  }

  async #upload(pack: FinishedPack): Promise<void> {
    await this.#uploads.acquire();
    try {
      await this.#repo.backend.save({ type: 'data', name: pack.id }, pack.parts, { signal: this.#signal });
    } finally {
      this.#uploads.release();
    }
    this.#repo.index.addPack(pack.id, pack.blobs);
    for (const b of pack.blobs) this.#pending.delete(b.type + b.id);
    this.#unindexed.push({ id: pack.id, blobs: pack.blobs });
    this.#unindexedBlobs += pack.blobs.length;
    this.stats.packsWritten++;
    this.stats.bytesWritten += pack.size;
    this.#onPackSaved?.({ id: pack.id, size: pack.size, blobs: pack.blobs.length });
    // Index files are written as packs pile up, and at least every 10 minutes, as restic
    // does: after a crash, what was indexed is reused by the next run instead of re-sent.
    if (this.#unindexedBlobs >= indexMaxBlobs(this.#repo.version) || Date.now() - this.#indexedAt >= INDEX_MAX_AGE_MS) await this.#writeIndex(this.#signal);
  }

  async #writeIndex(signal: AbortSignal | undefined): Promise<void> {
    if (this.#unindexed.length === 0) return;
    const packs = this.#unindexed;
    const blobs = this.#unindexedBlobs;
    this.#unindexed = [];
    this.#unindexedBlobs = 0;
    this.#indexedAt = Date.now();
    let saved: { id: Id; size: number };
    try {
      saved = await this.#repo.saveUnpacked('index', serializeIndex({ packs }), { signal });
    } catch (e) {
      // The packs stay waiting for an index: a later flush or salvage writes them.
      this.#unindexed.unshift(...packs);
      this.#unindexedBlobs += blobs;
      throw e;
    }
    const { id, size } = saved;
    this.#repo.index.indexFiles.add(id);
    this.stats.indexFilesWritten++;
    this.stats.bytesWritten += size;
  }

  #rethrow(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
