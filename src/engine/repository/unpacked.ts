/**
 * Encoding of unpacked files (index, snapshot, lock) inside their encryption: in a v2
 * repository a version byte 0x02 and a zstd frame, or raw JSON starting with '{' or '['
 * (restic-format.md 4.1). Config and key files are never encoded this way.
 */
import { compressSync, decompressUnbounded, type CompressionMode } from '../compress/zstd.ts';
import { concatBytes } from '../support/bytes.ts';
import { ChunkvaultError, ErrorCode, integrityError } from '../errors.ts';

const VERSION_ZSTD = 0x02;
/** Unpacked files are small JSON documents; anything bigger than this is hostile. */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

export function encodeUnpacked(json: Uint8Array, repoVersion: number, mode: CompressionMode): Uint8Array {
  if (repoVersion < 2) return json;
  // restic compresses unpacked files in v2 even with --compression off.
  return concatBytes([Uint8Array.of(VERSION_ZSTD), compressSync(json, mode === 'max' ? 'max' : 'auto')]);
}

export function decodeUnpacked(plain: Uint8Array, repoVersion: number): Uint8Array {
  const first = plain[0];
  if (first === 0x7b || first === 0x5b) return plain;
  if (repoVersion >= 2 && first === VERSION_ZSTD) {
    return decompressUnbounded(plain.subarray(1), MAX_UNPACKED_BYTES);
  }
  if (plain.byteLength === 0) throw integrityError('unpacked file is empty');
  throw new ChunkvaultError(ErrorCode.Unsupported, `unpacked file has unsupported encoding byte 0x${first!.toString(16)}`);
}
