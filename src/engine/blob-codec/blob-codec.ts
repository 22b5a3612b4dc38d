/**
 * How a blob is stored, in one place (restic-format.md 4): the plaintext, compressed with
 * zstd when the repository is v2 and it pays, sealed as `IV || AES-256-CTR || Poly1305-AES`,
 * and named by the SHA-256 of the plaintext. Every path that writes or reads a blob goes
 * through these functions: the backup's blob saver, the encoder and restore workers, the
 * tree loaders, check --read-data and prune's repacking.
 *
 * Sealing and opening are split where the work is split across threads: a worker
 * compresses and encrypts (`encryptBlob`) and the main thread adds the MAC
 * (`finishSealedBlob`); the main thread checks the MAC (`blobMacFailure`) and a worker
 * decrypts, decompresses and checks the id (`decodeAuthenticatedBlob`). The MAC stays on
 * the main thread, where the WebAssembly Poly1305 is loaded once.
 */
import { createCipheriv, randomFillSync, type KeyObject } from 'node:crypto';
import { compressAtLevel, decompressExact, decompressExactSync } from '../compress/zstd.ts';
import { decryptAuthenticated, macFailure, open, seal, sealEncrypted, type MasterKey } from '../crypto/index.ts';
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

const IV_BYTES = 16;
const MAC_BYTES = 16;
/** Encrypting in pieces keeps OpenSSL's temporary output small and recycled. */
const ENCRYPT_PIECE_BYTES = 1 << 20;

export function compressBlob(data: Uint8Array, opts: BlobStoreOptions): StoredBlob {
  if (opts.level <= 0 || data.byteLength === 0) return { stored: data, compressed: false };
  const packed = compressAtLevel(data, opts.level);
  if (opts.rawIfLarger && packed.byteLength >= data.byteLength) return { stored: data, compressed: false };
  return { stored: packed, compressed: true };
}

/** Compresses and seals a blob on the calling thread: the path for small blobs. */
export function sealBlob(key: MasterKey, data: Uint8Array, opts: BlobStoreOptions): { sealed: Uint8Array; compressed: boolean } {
  const { stored, compressed } = compressBlob(data, opts);
  return { sealed: seal(key, stored), compressed };
}

/**
 * The worker's half of sealing: compresses, then returns `IV || AES-256-CTR(stored) ||
 * 16 spare bytes` under a fresh IV, for `finishSealedBlob` to fill in the MAC.
 */
export function encryptBlob(encryptKey: Uint8Array | KeyObject, data: Uint8Array, opts: BlobStoreOptions): { framed: Uint8Array; compressed: boolean } {
  const { stored, compressed } = compressBlob(data, opts);
  const framed = new Uint8Array(Buffer.allocUnsafeSlow(stored.byteLength + IV_BYTES + MAC_BYTES).buffer);
  const iv = framed.subarray(0, IV_BYTES);
  // restic rejects an all-zero IV; the chance is 2^-128, the check is free.
  do randomFillSync(iv);
  while (iv.every((b) => b === 0));
  const cipher = createCipheriv('aes-256-ctr', encryptKey, iv);
  let at = IV_BYTES;
  for (let i = 0; i < stored.byteLength; i += ENCRYPT_PIECE_BYTES) {
    const piece = cipher.update(stored.subarray(i, i + ENCRYPT_PIECE_BYTES));
    framed.set(piece, at);
    at += piece.byteLength;
  }
  framed.set(cipher.final(), at);
  return { framed, compressed };
}

/** The main thread's half of sealing: writes the MAC into a buffer from `encryptBlob`. */
export function finishSealedBlob(key: MasterKey, framed: Uint8Array): Uint8Array {
  return sealEncrypted(key, framed);
}

/** Why a sealed blob fails authentication, or undefined when its MAC is valid. */
export function blobMacFailure(key: MasterKey, sealed: Uint8Array): string | undefined {
  return macFailure(key, sealed);
}

/** Throws an Integrity error unless `plain` hashes to the blob's id. */
export function checkBlobId(plain: Uint8Array, id: Id): Uint8Array {
  if (idOf(plain) !== id) throw integrityError('content does not match its id (SHA-256 mismatch)');
  return plain;
}

/**
 * The worker's half of opening, for a blob whose MAC was checked: decrypts, decompresses
 * to exactly the declared length, checks the id.
 */
export function decodeAuthenticatedBlob(encryptKey: Uint8Array | KeyObject, sealed: Uint8Array, expected: ExpectedBlob): Uint8Array {
  let plain = decryptAuthenticated(encryptKey, sealed);
  if (expected.uncompressedLength > 0) plain = decompressExactSync(plain, expected.uncompressedLength);
  return checkBlobId(plain, expected.id);
}

/** Opens a blob on the calling thread: MAC, decryption, decompression, id. For small blobs (trees). */
export function openBlob(key: MasterKey, sealed: Uint8Array, expected: ExpectedBlob): Uint8Array {
  let plain = open(key, sealed);
  if (expected.uncompressedLength > 0) plain = decompressExactSync(plain, expected.uncompressedLength);
  return checkBlobId(plain, expected.id);
}

/** The same with decompression on libuv's thread pool, for callers that open many large blobs at once. */
export async function openBlobAsync(key: MasterKey, sealed: Uint8Array, expected: ExpectedBlob): Promise<Uint8Array> {
  let plain = open(key, sealed);
  if (expected.uncompressedLength > 0) plain = await decompressExact(plain, expected.uncompressedLength);
  return checkBlobId(plain, expected.id);
}
