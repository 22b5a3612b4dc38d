/**
 * Lookup tables for the rolling Rabin fingerprint, built once per polynomial with BigInt
 * and packed as int32 halves for the hot loop (JS bitwise operators are 32-bit).
 */
import { ChunkvaultError, ErrorCode } from '../errors.ts';
import { polynomialDegree, polynomialMod } from './polynomial.ts';

export const WINDOW_SIZE = 64;

/** Degrees the two-int32 digest handles: the top byte must lie in `hi`, and digest << 8 in 64 bits. */
const MIN_DEGREE = 40;
const MAX_DEGREE = 56;

/** OUT[b] = fingerprint of b followed by WINDOW_SIZE - 1 zero bytes: removes b as it leaves the window. */
export function buildOutTable(pol: bigint): bigint[] {
  const out: bigint[] = [];
  const zeros = BigInt(8 * (WINDOW_SIZE - 1));
  for (let b = 0n; b < 256n; b++) out.push(polynomialMod(b << zeros, pol));
  return out;
}

/** MOD[b] = (b << k mod P) | (b << k): XOR-ing it clears the top byte b and adds its remainder. */
export function buildModTable(pol: bigint): bigint[] {
  const k = BigInt(polynomialDegree(pol));
  const mod: bigint[] = [];
  for (let b = 0n; b < 256n; b++) mod.push(polynomialMod(b << k, pol) | (b << k));
  return mod;
}

/**
 * Packed tables: `table` holds MODhi, MODlo, OUT8hi, OUT8lo, 256 int32 each, at offsets
 * 0, 256, 512, 768 (one typed array keeps one base pointer live in the loop).
 *
 * OUT8[b] = OUT[b] << 8 mod P. Reduction is linear, so
 *   ((D ^ OUT[o]) << 8 | b) mod P  ==  ((D << 8 | b) mod P) ^ OUT8[o]
 * which takes the window-out lookup off the digest's dependency chain.
 */
export interface ChunkerTables {
  readonly table: Int32Array;
  /** hi >>> topShift = digest >> (k - 8), the byte that leaves the top. */
  readonly topShift: number;
}

export const MOD_HI = 0;
export const MOD_LO = 256;
export const OUT8_HI = 512;
export const OUT8_LO = 768;

const cache = new Map<bigint, ChunkerTables>();

export function chunkerTables(pol: bigint): ChunkerTables {
  const cached = cache.get(pol);
  if (cached) return cached;
  const k = pol >= 0n ? polynomialDegree(pol) : -1;
  if (k < MIN_DEGREE || k > MAX_DEGREE) {
    throw new ChunkvaultError(
      ErrorCode.Unsupported,
      `chunker polynomial of degree ${k} is not supported (restic uses degree 53)`,
    );
  }
  const mod = buildModTable(pol);
  const out = buildOutTable(pol);
  const table = new Int32Array(1024);
  for (let b = 0; b < 256; b++) {
    const m = mod[b]!;
    const o8 = polynomialMod(out[b]! << 8n, pol);
    table[MOD_HI + b] = Number(m >> 32n);
    table[MOD_LO + b] = Number(m & 0xffffffffn);
    table[OUT8_HI + b] = Number(o8 >> 32n);
    table[OUT8_LO + b] = Number(o8 & 0xffffffffn);
  }
  const tables: ChunkerTables = { table, topShift: k - 8 - 32 };
  cache.set(pol, tables);
  return tables;
}
