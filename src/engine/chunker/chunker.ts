/**
 * restic's content-defined chunker (github.com/restic/chunker v0.4.0), bit-exact.
 *
 * The digest is the Rabin fingerprint of the last 64 bytes, kept as two int32 halves
 * (hi: bits 32 and up, below 2^21 for degree 53; lo: bits 0..31) because JS bitwise
 * operators are 32-bit and BigInt is far too slow per byte. A chunk ends at the first
 * length L in [MIN_CHUNK_SIZE, MAX_CHUNK_SIZE] whose digest has its low 20 bits zero,
 * or at MAX.
 *
 * Only the last 64 bytes before a candidate cut decide it, so the first MIN - 64 bytes of
 * every chunk are skipped unhashed, and the window is the input buffer itself: the outgoing
 * byte is buf[i - 64]. The 64-byte ring below only carries bytes across next() calls.
 */
import * as tables from './tables.ts';

export const MIN_CHUNK_SIZE = 512 * 1024;
export const MAX_CHUNK_SIZE = 8 * 1024 * 1024;

// Module-local copies: the loop must not read imports, which test runners may turn into getters.
const { MOD_HI, MOD_LO, OUT8_HI, OUT8_LO, WINDOW_SIZE } = tables;

const SPLIT_MASK = (1 << 20) - 1;
/** Bytes of each chunk that cannot influence a cut. */
const SKIP_SIZE = MIN_CHUNK_SIZE - WINDOW_SIZE;

export class Chunker {
  readonly #table: Int32Array;
  readonly #topShift: number;
  /** The last 64 hashed bytes of the current chunk, at slot (offset in chunk) & 63. */
  readonly #ring = new Uint8Array(WINDOW_SIZE);
  /** Bytes of the current chunk seen so far. */
  #count = 0;
  #hi = 0;
  #lo = 0;

  constructor(pol: bigint) {
    const packed = tables.chunkerTables(pol);
    this.#table = packed.table;
    this.#topShift = packed.topShift;
  }

  /** Start a new file (state resets at every chunk and every file). */
  reset(): void {
    this.#count = 0;
    this.#hi = 0;
    this.#lo = 0;
  }

  /**
   * Continue the current chunk with buf[start, end). Returns the offset in buf just past a
   * cut if the chunk ends inside this range (the caller then calls next() again from that
   * offset for the next chunk), or -1 if all bytes were absorbed into the current chunk.
   * At end of input the caller emits whatever remains as the last chunk.
   */
  next(buf: Uint8Array, start: number, end: number): number {
    if (!(start >= 0 && start <= end && end <= buf.length)) {
      throw new RangeError(`invalid range [${start}, ${end}) of a buffer of ${buf.length} bytes`);
    }
    let i = start;
    let count = this.#count;
    if (count < SKIP_SIZE) {
      const n = Math.min(SKIP_SIZE - count, end - i);
      count += n;
      i += n;
      if (count < SKIP_SIZE) {
        this.#count = count;
        return -1;
      }
    }
    const hashFrom = i;
    const t = this.#table;
    const sh = this.#topShift;
    const ring = this.#ring;
    let hi = this.#hi | 0;
    let lo = this.#lo | 0;

    // The first 64 hashed bytes only push zeros out of the window (OUT[0] = 0). Only the
    // 64th (length MIN) is tested. (restic also pushes a byte 1 at reset; it leaves the
    // window with that 64th byte, so it never changes a cut.)
    if (count < MIN_CHUNK_SIZE) {
      while (count < MIN_CHUNK_SIZE && i < end) {
        const top = hi >>> sh;
        hi = ((hi << 8) | (lo >>> 24)) ^ t[MOD_HI + top]!;
        lo = ((lo << 8) | buf[i]!) ^ t[MOD_LO + top]!;
        i++;
        count++;
      }
      if (count === MIN_CHUNK_SIZE && (lo & SPLIT_MASK) === 0) return this.#cut(i);
    }

    if (count >= MIN_CHUNK_SIZE) {
      const limit = Math.min(end, i + (MAX_CHUNK_SIZE - count));
      // Bytes whose outgoing byte came in an earlier call: take it from the ring.
      const ringEnd = Math.min(limit, start + WINDOW_SIZE);
      for (; i < ringEnd; i++, count++) {
        const o = ring[count & 63]!;
        const top = hi >>> sh;
        hi = ((hi << 8) | (lo >>> 24)) ^ t[OUT8_HI + o]! ^ t[MOD_HI + top]!;
        lo = ((lo << 8) | buf[i]!) ^ t[OUT8_LO + o]! ^ t[MOD_LO + top]!;
        if ((lo & SPLIT_MASK) === 0) return this.#cut(i + 1);
      }

      // Hot loop; the outgoing byte is buf[i - 64]. Unrolled by two: measured ~15% faster
      // than one byte per iteration.
      const from = i;
      const last = limit - 1;
      for (; i < last; i += 2) {
        let o = buf[i - 64]!;
        let top = hi >>> sh;
        hi = (((hi << 8) | (lo >>> 24)) ^ t[OUT8_HI + o]!) ^ t[MOD_HI + top]!;
        lo = (((lo << 8) | buf[i]!) ^ t[OUT8_LO + o]!) ^ t[MOD_LO + top]!;
        if ((lo & SPLIT_MASK) === 0) return this.#cut(i + 1);
        o = buf[i - 63]!;
        top = hi >>> sh;
        hi = (((hi << 8) | (lo >>> 24)) ^ t[OUT8_HI + o]!) ^ t[MOD_HI + top]!;
        lo = (((lo << 8) | buf[i + 1]!) ^ t[OUT8_LO + o]!) ^ t[MOD_LO + top]!;
        if ((lo & SPLIT_MASK) === 0) return this.#cut(i + 2);
      }
      if (i < limit) {
        const o = buf[i - 64]!;
        const top = hi >>> sh;
        hi = (((hi << 8) | (lo >>> 24)) ^ t[OUT8_HI + o]!) ^ t[MOD_HI + top]!;
        lo = (((lo << 8) | buf[i]!) ^ t[OUT8_LO + o]!) ^ t[MOD_LO + top]!;
        i++;
        if ((lo & SPLIT_MASK) === 0) return this.#cut(i);
      }
      count += i - from;
      if (count === MAX_CHUNK_SIZE) return this.#cut(i);
    }

    // The chunk goes on in the next call: keep its last (up to) 64 hashed bytes.
    for (let j = Math.max(hashFrom, i - WINDOW_SIZE); j < i; j++) {
      ring[(count - (i - j)) & 63] = buf[j]!;
    }
    this.#count = count;
    this.#hi = hi;
    this.#lo = lo;
    return -1;
  }

  /** Ends the current chunk at `at`; the ring needs no clearing (refilled before it is read). */
  #cut(at: number): number {
    this.#count = 0;
    this.#hi = 0;
    this.#lo = 0;
    return at;
  }
}
