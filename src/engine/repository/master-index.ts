/**
 * The in-memory index of every blob in the repository: (type, id) → where it is stored.
 * Loaded from all index files at open, extended by each pack this process writes.
 *
 * A repository of a million blobs is an ordinary one, so the entries live in typed arrays
 * (BlobTable), not in a Map of strings to objects: 32 bytes of binary id and four 32-bit
 * fields per blob, plus the hash slots, about 60 bytes a blob where the Map took 170.
 * Offsets and lengths are 32-bit, as in restic's own index.
 */
import { integrityError } from '../errors.ts';
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

/** A number that stands for one indexed blob (type and id) while the index lives: for sets of blobs. */
export type BlobKey = number;

/** Plaintext size of a blob, as restic's LookupBlobSize computes it. */
export function plaintextLength(loc: BlobLocation): number {
  return loc.uncompressedLength > 0 ? loc.uncompressedLength : loc.length - 32;
}

const ID_BYTES = 32;
const EMPTY = -1;
const MAX_UINT32 = 0xffffffff;

/** Writes the 64 hex digits of `id` as 32 bytes at `out[at]`; false if `id` is not an id. */
function hexInto(id: string, out: Uint8Array, at: number): boolean {
  if (id.length !== 2 * ID_BYTES) return false;
  for (let i = 0; i < ID_BYTES; i++) {
    const hi = hexDigit(id.charCodeAt(2 * i));
    const lo = hexDigit(id.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
  }
  return true;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** One blob type's entries: parallel typed arrays, and open-addressing hash slots over them. */
class BlobTable {
  #ids = new Uint8Array(0);
  #pack = new Uint32Array(0);
  #offset = new Uint32Array(0);
  #length = new Uint32Array(0);
  #uncompressed = new Uint32Array(0);
  /** Entry number per slot, or EMPTY; a power of two at least twice the entries. */
  #slots = new Int32Array(16).fill(EMPTY);
  count = 0;
  /** Where the last `find` parsed its id, so that `add` after a miss does not parse it again. */
  readonly #probe = new Uint8Array(ID_BYTES);

  /** The entry of `id`, or -1 (also for a string that is not an id). */
  find(id: string): number {
    if (!hexInto(id, this.#probe, 0)) return -1;
    return this.#slots[this.#slotOf(this.#probe, 0)]!;
  }

  /** Adds an entry unless the id is there; returns false when it was. */
  add(id: string, pack: number, offset: number, length: number, uncompressed: number): boolean {
    if (!hexInto(id, this.#probe, 0)) throw integrityError(`index: invalid blob ID ${JSON.stringify(id)}`);
    let slot = this.#slotOf(this.#probe, 0);
    if (this.#slots[slot] !== EMPTY) return false;
    if (this.count === this.#pack.length) this.#grow();
    if (2 * (this.count + 1) > this.#slots.length) {
      this.#rehash(this.#slots.length * 2);
      slot = this.#slotOf(this.#probe, 0);
    }
    const e = this.count++;
    this.#ids.set(this.#probe, e * ID_BYTES);
    this.#pack[e] = pack;
    this.#offset[e] = offset;
    this.#length[e] = length;
    this.#uncompressed[e] = uncompressed;
    this.#slots[slot] = e;
    return true;
  }

  pack(e: number): number {
    return this.#pack[e]!;
  }
  offset(e: number): number {
    return this.#offset[e]!;
  }
  length(e: number): number {
    return this.#length[e]!;
  }
  uncompressed(e: number): number {
    return this.#uncompressed[e]!;
  }

  id(e: number): Id {
    let s = '';
    for (let i = e * ID_BYTES, end = i + ID_BYTES; i < end; i++) s += HEX[this.#ids[i]!];
    return s;
  }

  /** The slot that holds the id at `bytes[at]`, or the empty slot where it would go. */
  #slotOf(bytes: Uint8Array, at: number): number {
    const mask = this.#slots.length - 1;
    // Ids are SHA-256 digests: their first bytes are already uniformly spread.
    let slot = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) & mask;
    for (;;) {
      const e = this.#slots[slot]!;
      if (e === EMPTY || this.#sameId(e, bytes, at)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  #sameId(e: number, bytes: Uint8Array, at: number): boolean {
    const ids = this.#ids;
    const base = e * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) if (ids[base + i] !== bytes[at + i]) return false;
    return true;
  }

  /** Grows the entry arrays by half (not double: a large index should not carry half its size in spare room). */
  #grow(): void {
    const capacity = Math.max(64, Math.ceil(this.#pack.length * 1.5));
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.#ids);
    this.#ids = ids;
    const widen = (a: Uint32Array) => {
      const b = new Uint32Array(capacity);
      b.set(a);
      return b;
    };
    this.#pack = widen(this.#pack);
    this.#offset = widen(this.#offset);
    this.#length = widen(this.#length);
    this.#uncompressed = widen(this.#uncompressed);
  }

  #rehash(size: number): void {
    this.#slots = new Int32Array(size).fill(EMPTY);
    for (let e = 0; e < this.count; e++) this.#slots[this.#slotOf(this.#ids, e * ID_BYTES)] = e;
  }
}

export class MasterIndex {
  readonly #tables: Record<BlobType, BlobTable> = { data: new BlobTable(), tree: new BlobTable() };
  /** Pack ids, by the number the entries hold. */
  readonly #packIds: Id[] = [];
  readonly #packNumbers = new Map<Id, number>();
  /** Index file ids that were loaded. */
  readonly indexFiles = new Set<Id>();

  has(type: BlobType, id: Id): boolean {
    return this.#tables[type].find(id) >= 0;
  }

  lookup(type: BlobType, id: Id): BlobLocation | undefined {
    const t = this.#tables[type];
    const e = t.find(id);
    return e < 0 ? undefined : this.#location(type, t, e);
  }

  /**
   * The blob's key: the same number for the same blob as long as this index lives, and
   * different for every other blob; undefined when the blob is not indexed.
   */
  key(type: BlobType, id: Id): BlobKey | undefined {
    const e = this.#tables[type].find(id);
    return e < 0 ? undefined : 2 * e + (type === 'tree' ? 1 : 0);
  }

  hasPack(packId: Id): boolean {
    return this.#packNumbers.has(packId);
  }

  get blobCount(): number {
    return this.#tables.data.count + this.#tables.tree.count;
  }

  get packCount(): number {
    return this.#packIds.length;
  }

  addPack(packId: Id, blobs: readonly IndexBlob[]): void {
    let pack = this.#packNumbers.get(packId);
    if (pack === undefined) {
      pack = this.#packIds.length;
      this.#packIds.push(packId);
      this.#packNumbers.set(packId, pack);
    }
    for (const b of blobs) {
      const uncompressed = b.uncompressedLength ?? 0;
      if (b.offset > MAX_UINT32 || b.length > MAX_UINT32 || uncompressed > MAX_UINT32) {
        throw integrityError(`index: blob ${b.id} in pack ${packId} has an offset or length of 4 GiB or more, which restic cannot hold either`);
      }
      // A blob stored twice (two writers raced) stays at its first location.
      this.#tables[b.type].add(b.id, pack, b.offset, b.length, uncompressed);
    }
  }

  addIndexFile(id: Id, file: IndexFile): void {
    this.indexFiles.add(id);
    for (const pack of file.packs) this.addPack(pack.id, pack.blobs);
  }

  *entries(): Generator<[Id, BlobLocation]> {
    for (const type of ['data', 'tree'] as const) {
      const t = this.#tables[type];
      for (let e = 0; e < t.count; e++) yield [t.id(e), this.#location(type, t, e)];
    }
  }

  #location(type: BlobType, t: BlobTable, e: number): BlobLocation {
    return { packId: this.#packIds[t.pack(e)]!, type, offset: t.offset(e), length: t.length(e), uncompressedLength: t.uncompressed(e) };
  }
}
