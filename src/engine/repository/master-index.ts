/**
 * The in-memory index of every blob in the repository: (type, id) → where it is stored.
 * Loaded from all index files at open, extended by each pack this process writes.
 */
import type { Id } from '../format/id.ts';
import type { IndexBlob, IndexFile } from '../format/index.ts';

export type BlobType = 'data' | 'tree';

export interface BlobLocation {
  readonly packId: Id;
  readonly type: BlobType;
  readonly offset: number;
  /** Stored length, including the 32 bytes of encryption overhead. */
  readonly length: number;
  /** Plaintext length when the blob is compressed; 0 when stored raw. */
  readonly uncompressedLength: number;
}

/** Plaintext size of a blob, as restic's LookupBlobSize computes it. */
export function plaintextLength(loc: BlobLocation): number {
  return loc.uncompressedLength > 0 ? loc.uncompressedLength : loc.length - 32;
}

export class MasterIndex {
  readonly #data = new Map<Id, BlobLocation>();
  readonly #tree = new Map<Id, BlobLocation>();
  readonly #packs = new Set<Id>();
  /** Index file ids that were loaded. */
  readonly indexFiles = new Set<Id>();

  #map(type: BlobType): Map<Id, BlobLocation> {
    return type === 'data' ? this.#data : this.#tree;
  }

  has(type: BlobType, id: Id): boolean {
    return this.#map(type).has(id);
  }

  lookup(type: BlobType, id: Id): BlobLocation | undefined {
    return this.#map(type).get(id);
  }

  hasPack(packId: Id): boolean {
    return this.#packs.has(packId);
  }

  get blobCount(): number {
    return this.#data.size + this.#tree.size;
  }

  get packCount(): number {
    return this.#packs.size;
  }

  addPack(packId: Id, blobs: readonly IndexBlob[]): void {
    this.#packs.add(packId);
    for (const b of blobs) {
      const map = this.#map(b.type);
      // A blob stored twice (two writers raced) stays at its first location.
      if (map.has(b.id)) continue;
      map.set(b.id, {
        packId,
        type: b.type,
        offset: b.offset,
        length: b.length,
        uncompressedLength: b.uncompressedLength ?? 0,
      });
    }
  }

  addIndexFile(id: Id, file: IndexFile): void {
    this.indexFiles.add(id);
    for (const pack of file.packs) this.addPack(pack.id, pack.blobs);
  }

  *entries(): Generator<[Id, BlobLocation]> {
    yield* this.#data;
    yield* this.#tree;
  }
}
