/**
 * restic's `--max-unused` and `--max-repack-size` values: how much unused data may stay in
 * the repository after a prune ("5%", "100M", "unlimited"), and how much may be repacked.
 */
import { invalidInput } from '../errors.ts';

/** Unused bytes tolerated after the prune, as a function of the bytes still used. */
export type MaxUnused = (usedBytes: number) => number;

/** A size with restic's suffixes. */
const SIZE = /^(\d+)([kKmMgGtT]?)[bB]?$/;

/** restic's default. */
export const DEFAULT_MAX_UNUSED = '5%';

export function parseMaxUnused(value: string, what = 'max-unused'): MaxUnused {
  const v = value.trim();
  if (v === 'unlimited') return () => Number.POSITIVE_INFINITY;
  if (v.endsWith('%')) {
    const p = Number(v.slice(0, -1));
    if (v.length === 1 || !Number.isFinite(p) || p < 0 || p >= 100) {
      throw invalidInput(`${what}: '${value}' is out of range: a percentage must be at least 0% and below 100%`);
    }
    // p% of what remains after the prune: unused / (used + unused) = p / 100.
    return (used) => Math.floor((p / (100 - p)) * used);
  }
  if (!SIZE.test(v)) throw invalidInput(`${what}: '${value}' is not a limit: use a size such as 500M or 2G, a percentage such as 5%, or 'unlimited'`);
  const bytes = parseSize(v, what);
  return () => bytes;
}

/** A size with restic's suffixes: k/K, m/M, g/G, t/T (powers of 1024), b/B or none for bytes. */
export function parseSize(value: string, what: string): number {
  const m = SIZE.exec(value.trim());
  if (!m) throw invalidInput(`${what}: '${value}' is not a size: use a number and k, m, g or t, such as 500M or 2G`);
  const exponent = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * 1024 ** exponent;
}
