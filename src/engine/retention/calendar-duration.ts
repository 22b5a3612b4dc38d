/**
 * restic's calendar durations for the keep-within rules: `1y2m3d4h` is 1 year, 2 months,
 * 3 days and 4 hours (`m` is months: there are no minutes). Years, months and days are
 * calendar steps (Go's AddDate), hours are exact hours.
 *
 * This is not src/engine/support/duration.ts (our own `90s`/`15m` syntax for timeouts and ages).
 */
import { invalidInput } from '../errors.ts';

export interface RetentionDuration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

/** Largest count per unit: more hours than this overflow Go's time.Duration (int64 ns). */
export const MAX_DURATION_PART = 2_562_047;

const UNIT_FIELDS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;

/** What the error after a bad duration teaches: restic's four units and two examples. */
const DURATION_FORM = 'use a number and a unit y, m, d or h, such as 30d or 1y6m';

/** Units people write that restic does not take, and what to write instead (2w → 14d). */
const OTHER_UNITS: Readonly<Record<string, (n: number) => string>> = {
  w: (n) => `${n * 7}d`,
  week: (n) => `${n * 7}d`,
  weeks: (n) => `${n * 7}d`,
  day: (n) => `${n}d`,
  days: (n) => `${n}d`,
  hour: (n) => `${n}h`,
  hours: (n) => `${n}h`,
  month: (n) => `${n}m`,
  months: (n) => `${n}m`,
  year: (n) => `${n}y`,
  years: (n) => `${n}y`,
};

/**
 * Parses `1y2m3d4h`-style text: units y, m (months), d, h, each at most once, in any
 * order; surrounding whitespace ignored. restic 0.14 also takes negative numbers and lets
 * a repeated unit overwrite the first; both are refused here as mistakes. Empty text is
 * the zero duration (the rule is off). `what` names the setting in the error (an input or
 * a flag), which also shows the value given and the units restic accepts.
 */
export function parseRetentionDuration(text: string, what = 'keep-within'): RetentionDuration {
  const trimmed = text.trim();
  const parts: Record<'years' | 'months' | 'days' | 'hours', number> = { years: 0, months: 0, days: 0, hours: 0 };
  const seen = new Set<string>();
  const bad = (why?: string): never => {
    throw invalidInput(`${what}: '${text}' is not a duration: ${why ? `${why}; ` : ''}${DURATION_FORM}`);
  };
  const part = /(\d+)([a-zA-Z]*)/y;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const m = part.exec(trimmed);
    if (m === null) return bad(at === 0 ? undefined : `'${trimmed.slice(at)}' has no number`);
    const n = Number(m[1]);
    const unit = m[2]!;
    if (unit === '') return bad(trimmed[part.lastIndex] === '.' ? 'use whole numbers' : `the number ${m[1]} has no unit`);
    if (!(unit in UNIT_FIELDS)) {
      const instead = OTHER_UNITS[unit.toLowerCase()];
      return bad(instead ? `write ${m[0]} as ${instead(n)}` : `'${unit}' is not a unit`);
    }
    if (seen.has(unit)) return bad(`the unit ${unit} is given twice`);
    seen.add(unit);
    if (n > MAX_DURATION_PART) return bad(`${m[0]} is too long (at most ${MAX_DURATION_PART} per unit)`);
    parts[UNIT_FIELDS[unit as keyof typeof UNIT_FIELDS]] = n;
    at = part.lastIndex;
  }
  return parts;
}

/** Checks a duration given as an object: non-negative integers within range. */
export function checkRetentionDuration(d: RetentionDuration, what = 'keep-within'): RetentionDuration {
  for (const field of ['years', 'months', 'days', 'hours'] as const) {
    const n = d[field];
    if (!Number.isInteger(n) || n < 0 || n > MAX_DURATION_PART) {
      throw invalidInput(`${what}: ${field} must be a whole number from 0 to ${MAX_DURATION_PART}, not ${n}`);
    }
  }
  return { years: d.years, months: d.months, days: d.days, hours: d.hours };
}

export function isZeroDuration(d: RetentionDuration | undefined): boolean {
  return d === undefined || (d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0);
}

/** restic's text for a duration (`1y2m`, `30d`): zero parts left out, in y m d h order. */
export function formatRetentionDuration(d: RetentionDuration): string {
  let s = '';
  if (d.years !== 0) s += `${d.years}y`;
  if (d.months !== 0) s += `${d.months}m`;
  if (d.days !== 0) s += `${d.days}d`;
  if (d.hours !== 0) s += `${d.hours}h`;
  return s;
}
