/**
 * The half of the blob codec that needs no MAC: compression, AES-256-CTR framing,
 * decompression to the declared length, the id check. Worker threads import this file
 * alone, so that they never load the WebAssembly Poly1305; blob-codec.ts adds the MAC
 * and is what the rest of the engine uses.
 */
import { compressAtLevel, decompressExactSync } from '../compress/zstd.ts';
import { decryptAuthenticated, encryptFramed, type AesKey } from '../crypto/ctr.ts';
import { integrityError } from '../errors.ts';
import { idOf, type Id } from '../format/id.ts';

/** How to store one blob. */
export interface BlobStoreOptions {
  /** zstd level, or 0 to store the blob uncompressed. */
  level: number;
  /** Keep the blob uncompressed when compression would not make it smaller (data blobs). */
  rawIfLarger: boolean;
}

/** What a reader knows of a blob before opening it: its id and, when compressed, its length. */
export interface ExpectedBlob {
  id: Id;
  /** Plaintext length of a compressed blob; 0 when it is stored raw. */
  uncompressedLength: number;
}

/** The bytes to encrypt, and whether they are a zstd frame (else the plaintext itself). */
export interface StoredBlob {
  stored: Uint8Array;
  compressed: boolean;
}

/**
 * Data blobs at least this long are probed before zstd sees all of them: two samples of
 * PROBE_BYTES (head and middle) compressed at the blob's level. When neither shrinks
 * below PROBE_KEEP of its size, the blob is stored raw without a whole compression, whose
 * output (as large as the blob, then thrown away) cost already-compressed data a third of
 * its backup's peak memory (512 MiB of random bytes: 410 against 285 MiB uncompressed).
 */
const PROBE_MIN_BLOB = 256 * 1024;
const PROBE_BYTES = 16 * 1024;
const PROBE_KEEP = 0.97;

function looksIncompressible(data: Uint8Array, level: number): boolean {
  const middle = (data.byteLength >> 1) - (PROBE_BYTES >> 1);
  for (const start of [0, middle]) {
    const sample = data.subarray(start, start + PROBE_BYTES);
    if (compressAtLevel(sample, level).byteLength < sample.byteLength * PROBE_KEEP) return false;
  }
  return true;
}

export function compressBlob(data: Uint8Array, opts: BlobStoreOptions): StoredBlob {
  if (opts.level <= 0 || data.byteLength === 0) return { stored: data, compressed: false };
  if (opts.rawIfLarger && data.byteLength >= PROBE_MIN_BLOB && looksIncompressible(data, opts.level)) {
    return { stored: data, compressed: false };
  }
  const packed = compressAtLevel(data, opts.level);
  if (opts.rawIfLarger && packed.byteLength >= data.byteLength) return { stored: data, compressed: false };
  return { stored: packed, compressed: true };
}

/**
 * A worker's half of sealing: compresses, then returns `IV || AES-256-CTR(stored) ||
 * 16 spare bytes` for the main thread's MAC (blob-codec.ts `finishSealedBlob`).
 */
export function encryptBlob(encryptKey: AesKey, data: Uint8Array, opts: BlobStoreOptions): { framed: Uint8Array; compressed: boolean } {
  const { stored, compressed } = compressBlob(data, opts);
  return { framed: encryptFramed(encryptKey, stored), compressed };
}

/** Throws an Integrity error unless `plain` hashes to the blob's id. */
export function checkBlobId(plain: Uint8Array, id: Id): Uint8Array {
  if (idOf(plain) !== id) throw integrityError('content does not match its id (SHA-256 mismatch)');
  return plain;
}

/**
 * A worker's half of opening, for a blob whose MAC was checked: decrypts, decompresses
 * to exactly the declared length, checks the id.
 */
export function decodeAuthenticatedBlob(encryptKey: AesKey, sealed: Uint8Array, expected: ExpectedBlob): Uint8Array {
  let plain = decryptAuthenticated(encryptKey, sealed);
  if (expected.uncompressedLength > 0) plain = decompressExactSync(plain, expected.uncompressedLength);
  return checkBlobId(plain, expected.id);
}
