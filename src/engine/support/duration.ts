/**
 * Durations as users write them in workflow inputs and flags: a number and a unit, or
 * several ("90s", "15m", "26h", "7d", "1h30m", "250ms"), or 0. Returns milliseconds.
 */
import { invalidInput } from '../errors.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim();
  // A bare zero needs no unit: "lock-wait: 0".
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let at = 0;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = part.lastIndex;
  }
  if (trimmed === '' || at !== trimmed.length) {
    throw invalidInput(`${what}: '${text}' is not a duration: use a number and a unit ms, s, m, h, d or w, such as 90s, 15m or 1h30m`);
  }
  return total;
}

