/** Values for a chart's axis: bytes in one unit chosen by the largest, durations in one unit too. */
import { significant } from '../../engine/index.ts';

/** Points a history chart shows at most: the newest ones, so that the summary stays small. */
export const MAX_CHART_POINTS = 30;

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** The unit the largest value reads best in; every series of a chart is given in it. */
export function bytesUnit(values: readonly number[]): { unit: string; scale: (v: number) => number } {
  const max = Math.max(0, ...values);
  let u = 0;
  while (max / 1024 ** u >= 1024 && u < BYTE_UNITS.length - 1) u++;
  return { unit: BYTE_UNITS[u]!, scale: (v) => Number(significant(v / 1024 ** u)) };
}

export function scaleSeconds(valuesMs: readonly number[]): { unit: string; values: number[] } {
  const max = Math.max(0, ...valuesMs);
  const [unit, ms] = max >= 2 * 86_400_000 ? ['days', 86_400_000] : max >= 2 * 3_600_000 ? ['hours', 3_600_000] : max >= 120_000 ? ['minutes', 60_000] : ['seconds', 1000];
  return { unit: unit as string, values: valuesMs.map((v) => Number(significant(v / (ms as number)))) };
}

/** A point's label: the date and time to the minute, UTC. */
export function chartTimeLabel(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}
