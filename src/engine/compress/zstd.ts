/**
 * zstd for repository v2: levels per mode, compression on the calling thread (the blob
 * codec calls it from worker threads for large blobs), and decompression bounded by the
 * length the index promises, so that a hostile repository cannot make us allocate more
 * than it declared.
 */
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { integrityError, invalidInput } from '../errors.ts';

export type CompressionMode = 'auto' | 'max' | 'off';

export const COMPRESSION_MODES: readonly CompressionMode[] = ['auto', 'max', 'off'];

/**
 * zstd levels per mode. restic 0.14's `auto` (klauspost/compress's default speed) is
 * comparable to reference level 3, but level 1 is what `auto` uses here: on 1 MiB blobs
 * of a SQL dump it compressed at 305 MB/s against 171-196 MB/s for level 3, to a slightly
 * smaller result (ratio 3.07 against 3.01), and compression is the largest cost of a first
 * backup. `max` is comparable to restic's level 11. `off` still compresses trees and
 * unpacked files, as restic does; only data blobs are stored raw.
 */
export const ZSTD_LEVEL: Readonly<Record<CompressionMode, number>> = { auto: 1, max: 11, off: 1 };

const zstdDecompressAsync = promisify(zlib.zstdDecompress);

export function parseCompressionMode(value: string, what = 'compression'): CompressionMode {
  if ((COMPRESSION_MODES as readonly string[]).includes(value)) return value as CompressionMode;
  throw invalidInput(`${what} must be one of ${COMPRESSION_MODES.join(', ')}; got '${value}'`);
}

function options(level: number, inputLength: number): zlib.ZstdOptions {
  return {
    // One output buffer that fits the whole frame: with the default 16 KiB buffer, async
    // compression of a 1 MiB chunk hops between the thread pool and the main thread dozens
    // of times, and the pool's parallelism is lost.
    chunkSize: Math.max(64, inputLength + (inputLength >> 8) + 1024),
    // A known size lets zstd size its window to the input instead of the level's default.
    pledgedSrcSize: inputLength,
    params: {
      [zlib.constants.ZSTD_c_compressionLevel]: level,
      // restic's decoder does not need checksums; the blob's SHA-256 covers integrity.
      [zlib.constants.ZSTD_c_checksumFlag]: 0,
    },
  };
}

export function compressSync(data: Uint8Array, mode: CompressionMode): Uint8Array {
  return compressAtLevel(data, ZSTD_LEVEL[mode]);
}

/** zstd at a reference level, on the calling thread (a worker's, for blobs). */
export function compressAtLevel(data: Uint8Array, level: number): Uint8Array {
  return zlib.zstdCompressSync(data, options(level, data.byteLength));
}

/**
 * Bounds for a frame that must expand to exactly `expectedLength` bytes: zstd stops at
 * the bound, so a hostile frame cannot make us allocate more than the index declared.
 */
function exactOptions(expectedLength: number): zlib.ZstdOptions {
  return { maxOutputLength: Math.max(1, expectedLength), chunkSize: Math.max(64, expectedLength) };
}

function checkExactLength(out: Uint8Array, expectedLength: number): Uint8Array {
  if (out.byteLength !== expectedLength) {
    throw integrityError(`zstd data decompressed to ${out.byteLength} bytes, ${expectedLength} declared`);
  }
  return out;
}

function notExpanding(expectedLength: number, e: unknown): Error {
  return integrityError(`zstd data does not decompress to the declared ${expectedLength} bytes`, e);
}

/** Decompresses a frame that must expand to exactly `expectedLength` bytes, on the calling thread. */
export function decompressExactSync(data: Uint8Array, expectedLength: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = zlib.zstdDecompressSync(data, exactOptions(expectedLength));
  } catch (e) {
    throw notExpanding(expectedLength, e);
  }
  return checkExactLength(out, expectedLength);
}

/** The same on libuv's thread pool, for callers that decode many large blobs at once. */
export async function decompressExact(data: Uint8Array, expectedLength: number): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    out = await zstdDecompressAsync(data, exactOptions(expectedLength));
  } catch (e) {
    throw notExpanding(expectedLength, e);
  }
  return checkExactLength(out, expectedLength);
}

/** Decompresses an unpacked file (index, snapshot, lock) of unknown size, within a bound. */
export function decompressUnbounded(data: Uint8Array, maxLength: number): Uint8Array {
  try {
    return zlib.zstdDecompressSync(data, { maxOutputLength: maxLength });
  } catch (e) {
    throw integrityError(`zstd data does not decompress within ${maxLength} bytes`, e);
  }
}
