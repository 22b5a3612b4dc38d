/**
 * Pack files: sealed blobs back to back, then the sealed header and its length
 * (restic-format.md section 5). The Packer collects blobs of one type; a finished pack is
 * named by the SHA-256 of its bytes.
 */
import { createHash } from 'node:crypto';
import { readUint32LE, writeUint32LE, fromHex, toHex } from '../support/bytes.ts';
import { open, seal, SEAL_OVERHEAD, type MasterKey } from '../crypto/index.ts';
import { integrityError } from '../errors.ts';
import type { Id } from '../format/id.ts';
import type { IndexBlob } from '../format/index.ts';
import type { BlobType } from './master-index.ts';

/** restic's default target pack size. */
export const DEFAULT_PACK_SIZE_BYTES = 16 * 1024 * 1024;
/** The encrypted header plus its length field may not exceed this (restic's limit). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

const ENTRY_SIZE_RAW = 37;
const ENTRY_SIZE_COMPRESSED = 41;

const TYPE_BYTE: Readonly<Record<BlobType, { raw: number; compressed: number }>> = {
  data: { raw: 0, compressed: 2 },
  tree: { raw: 1, compressed: 3 },
};

export function entrySize(b: { uncompressedLength?: number }): number {
  return b.uncompressedLength ? ENTRY_SIZE_COMPRESSED : ENTRY_SIZE_RAW;
}

/** The exact file size restic expects for a pack holding these blobs. */
export function expectedPackSize(blobs: readonly { length: number; uncompressedLength?: number }[]): number {
  let size = 4 + SEAL_OVERHEAD;
  for (const b of blobs) size += b.length + entrySize(b);
  return size;
}

export interface FinishedPack {
  readonly id: Id;
  /** The pack's content in order: the sealed blobs, the sealed header, its length. */
  readonly parts: readonly Uint8Array[];
  readonly size: number;
  readonly blobs: IndexBlob[];
}

export class Packer {
  readonly type: BlobType;
  readonly #parts: Uint8Array[] = [];
  readonly #blobs: IndexBlob[] = [];
  // The pack id is the hash of its bytes: hashed as blobs arrive, never joined in memory.
  readonly #hash = createHash('sha256');
  #size = 0;
  #headerSize = 0;

  constructor(type: BlobType) {
    this.type = type;
  }

  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#blobs.length;
  }

  /** Whether another blob would push the header past restic's limit. */
  get headerFull(): boolean {
    return this.#headerSize + ENTRY_SIZE_COMPRESSED + SEAL_OVERHEAD + 4 > MAX_HEADER_BYTES;
  }

  /** Adds a sealed blob; `uncompressedLength` is set only when the blob is compressed. */
  add(id: Id, sealed: Uint8Array, uncompressedLength?: number): void {
    const blob: IndexBlob = { id, type: this.type, offset: this.#size, length: sealed.byteLength };
    if (uncompressedLength) blob.uncompressedLength = uncompressedLength;
    this.#parts.push(sealed);
    this.#hash.update(sealed);
    this.#blobs.push(blob);
    this.#size += sealed.byteLength;
    this.#headerSize += entrySize(blob);
  }

  finish(key: MasterKey): FinishedPack {
    const header = new Uint8Array(this.#headerSize);
    let at = 0;
    for (const b of this.#blobs) {
      const compressed = b.uncompressedLength !== undefined && b.uncompressedLength > 0;
      header[at++] = compressed ? TYPE_BYTE[this.type].compressed : TYPE_BYTE[this.type].raw;
      writeUint32LE(header, at, b.length);
      at += 4;
      if (compressed) {
        writeUint32LE(header, at, b.uncompressedLength!);
        at += 4;
      }
      header.set(fromHex(b.id), at);
      at += 32;
    }
    const sealedHeader = seal(key, header);
    const trailer = new Uint8Array(4);
    writeUint32LE(trailer, 0, sealedHeader.byteLength);
    const parts = [...this.#parts, sealedHeader, trailer];
    const id = this.#hash.update(sealedHeader).update(trailer).digest('hex');
    return { id, parts, size: this.#size + sealedHeader.byteLength + 4, blobs: this.#blobs };
  }
}

/** How many bytes at the end of a pack to read first: most headers fit (restic reads 15 entries' worth). */
export const PACK_TAIL_GUESS_BYTES = 15 * ENTRY_SIZE_COMPRESSED + SEAL_OVERHEAD + 4;

/**
 * Decodes a pack's header. `tail` is the end of the pack file (at least 4 bytes);
 * returns undefined with the needed tail length when `tail` is too short.
 */
export function parsePackHeader(
  key: MasterKey,
  tail: Uint8Array,
  packSize: number,
): { blobs: IndexBlob[] } | { needBytes: number } {
  if (packSize < 4 + SEAL_OVERHEAD + ENTRY_SIZE_RAW) {
    throw integrityError(`pack of ${packSize} bytes is too small to hold a header`);
  }
  const headerLength = readUint32LE(tail, tail.byteLength - 4);
  if (headerLength < SEAL_OVERHEAD + ENTRY_SIZE_RAW || headerLength > packSize - 4 || headerLength + 4 > MAX_HEADER_BYTES) {
    throw integrityError(`pack header length ${headerLength} is out of range for a pack of ${packSize} bytes`);
  }
  if (tail.byteLength < headerLength + 4) return { needBytes: headerLength + 4 };
  const sealedHeader = tail.subarray(tail.byteLength - 4 - headerLength, tail.byteLength - 4);
  const header = open(key, sealedHeader);
  const blobs: IndexBlob[] = [];
  let offset = 0;
  for (let at = 0; at < header.byteLength; ) {
    const typeByte = header[at]!;
    const compressed = typeByte === 2 || typeByte === 3;
    if (typeByte > 3) throw integrityError(`pack header has unknown blob type ${typeByte}`);
    const size = compressed ? ENTRY_SIZE_COMPRESSED : ENTRY_SIZE_RAW;
    if (at + size > header.byteLength) throw integrityError('pack header is truncated');
    const length = readUint32LE(header, at + 1);
    const blob: IndexBlob = {
      id: toHex(header.subarray(at + size - 32, at + size)),
      type: typeByte === 0 || typeByte === 2 ? 'data' : 'tree',
      offset,
      length,
    };
    if (compressed) blob.uncompressedLength = readUint32LE(header, at + 5);
    blobs.push(blob);
    offset += length;
    at += size;
  }
  if (offset + headerLength + 4 !== packSize) {
    throw integrityError(`pack header describes ${offset} bytes of blobs, the pack holds ${packSize - headerLength - 4}`);
  }
  return { blobs };
}
