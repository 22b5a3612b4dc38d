/**
 * How a blob is stored, in one place (restic-format.md 4): the plaintext, compressed with
 * zstd when the repository is v2 and it pays, sealed as `IV || AES-256-CTR || Poly1305-AES`,
 * and named by the SHA-256 of the plaintext. Every path that writes or reads a blob goes
 * through here: the blob saver, the encoder and restore workers, the tree loaders, check
 * --read-data and prune's repacking.
 *
 * Sealing and opening are split where the work is split across threads: a worker
 * compresses and encrypts (codec-core.ts `encryptBlob`) and the main thread adds the MAC
 * (`finishSealedBlob`); the main thread checks the MAC (`blobMacFailure`) and a worker
 * decrypts, decompresses and checks the id (`decodeAuthenticatedBlob`). The MAC stays on
 * the main thread, where the WebAssembly Poly1305 is loaded once.
 */
import { decompressExact } from '../compress/zstd.ts';
import { macFailure, open, seal, sealEncrypted, type MasterKey } from '../crypto/index.ts';
import { integrityError } from '../errors.ts';
import { checkBlobId, compressBlob, decodeAuthenticatedBlob, type BlobStoreOptions, type ExpectedBlob } from './codec-core.ts';

export { checkBlobId, compressBlob, decodeAuthenticatedBlob, encryptBlob } from './codec-core.ts';
export type { BlobStoreOptions, ExpectedBlob, StoredBlob } from './codec-core.ts';

/** Compresses and seals a blob on the calling thread: the path for small blobs. */
export function sealBlob(key: MasterKey, data: Uint8Array, opts: BlobStoreOptions): { sealed: Uint8Array; compressed: boolean } {
  const { stored, compressed } = compressBlob(data, opts);
  return { sealed: seal(key, stored), compressed };
}

/** The main thread's half of sealing: writes the MAC into a buffer from `encryptBlob`. */
export function finishSealedBlob(key: MasterKey, framed: Uint8Array): Uint8Array {
  return sealEncrypted(key, framed);
}

/** Why a sealed blob fails authentication, or undefined when its MAC is valid. */
export function blobMacFailure(key: MasterKey, sealed: Uint8Array): string | undefined {
  return macFailure(key, sealed);
}

/** Opens a blob on the calling thread: MAC, decryption, decompression, id. For small blobs (trees). */
export function openBlob(key: MasterKey, sealed: Uint8Array, expected: ExpectedBlob): Uint8Array {
  const failure = macFailure(key, sealed);
  if (failure !== undefined) throw integrityError(failure);
  return decodeAuthenticatedBlob(key.encrypt, sealed, expected);
}

/** The same with decompression on libuv's thread pool, for callers that open many large blobs at once. */
export async function openBlobAsync(key: MasterKey, sealed: Uint8Array, expected: ExpectedBlob): Promise<Uint8Array> {
  let plain = open(key, sealed);
  if (expected.uncompressedLength > 0) plain = await decompressExact(plain, expected.uncompressedLength);
  return checkBlobId(plain, expected.id);
}
