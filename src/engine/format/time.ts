/**
 * Timestamps as restic stores them (doc 7.5): RFC 3339 with up to nanosecond precision.
 * In memory a timestamp is a bigint count of nanoseconds since 1970-01-01T00:00:00Z.
 */
import { civilFromDays, daysFromCivil } from './calendar.ts';
import { integrityError, invalidInput } from '../errors.ts';

const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400;

/** 0000-01-01T00:00:00Z, the earliest time RFC 3339 (and Go's JSON encoder) can write. */
export const MIN_TIME_NS: bigint = BigInt(daysFromCivil(0, 1, 1) * SECONDS_PER_DAY) * NS_PER_SECOND;
/** 9999-12-31T23:59:59.999999999Z, the latest writable time. */
export const MAX_TIME_NS: bigint = BigInt(daysFromCivil(10_000, 1, 1) * SECONDS_PER_DAY) * NS_PER_SECOND - 1n;
/** Go's zero `time.Time`, 0001-01-01T00:00:00Z: what restic reads for a missing time. */
export const GO_ZERO_TIME_NS: bigint = BigInt(daysFromCivil(1, 1, 1) * SECONDS_PER_DAY) * NS_PER_SECOND;

/** Clamps into the range {@link formatTime} accepts (years 0..9999), as later restic does. */
export function clampTime(ns: bigint): bigint {
  return ns < MIN_TIME_NS ? MIN_TIME_NS : ns > MAX_TIME_NS ? MAX_TIME_NS : ns;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * RFC 3339 in UTC with a `Z`, like Go's `time.RFC3339Nano`: the fraction loses its
 * trailing zeros and is left out when zero. Years outside 0..9999 cannot be written
 * (Go's MarshalJSON refuses them too): throws InvalidInput; see {@link clampTime}.
 */
export function formatTime(ns: bigint): string {
  if (ns < MIN_TIME_NS || ns > MAX_TIME_NS) {
    throw invalidInput(`timestamp ${ns} ns is outside years 0..9999`);
  }
  let seconds = ns / NS_PER_SECOND;
  let frac = ns % NS_PER_SECOND;
  if (frac < 0n) {
    frac += NS_PER_SECOND;
    seconds -= 1n;
  }
  const s = Number(seconds);
  const days = Math.floor(s / SECONDS_PER_DAY);
  const sod = s - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  let out =
    `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T` +
    `${pad(Math.floor(sod / 3600), 2)}:${pad(Math.floor(sod / 60) % 60, 2)}:${pad(sod % 60, 2)}`;
  if (frac !== 0n) out += '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return out + 'Z';
}

/**
 * {@link formatTime} in a fixed offset (seconds east of UTC), as Go marshals a time parsed
 * from `+05:30`: the wall clock of that offset and the offset itself; 0 gives `Z`.
 */
export function formatTimeInOffset(ns: bigint, offsetSeconds: number): string {
  const utc = formatTime(ns);
  if (offsetSeconds === 0) return utc;
  const local = formatTime(ns + BigInt(offsetSeconds) * NS_PER_SECOND).slice(0, -1);
  const abs = Math.abs(offsetSeconds);
  return local + (offsetSeconds < 0 ? '-' : '+') + pad(Math.floor(abs / 3600), 2) + ':' + pad(Math.floor(abs / 60) % 60, 2);
}

/** The offset written in an RFC 3339 text, in seconds east of UTC; undefined for `Z`. */
export function writtenOffsetSeconds(text: string): number | undefined {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60;
  return m[1] === '-' ? -seconds : seconds;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parses what Go's `time.Parse(time.RFC3339, s)` accepts: `YYYY-MM-DDTHH:MM:SS`, an
 * optional fraction, and a zone `Z` or `±hh:mm` (required). Like Go, more than 9
 * fraction digits are truncated and `,` is accepted for `.`; fields are range-checked
 * (no leap second 60). Throws an Integrity error otherwise.
 */
export function parseTime(s: string): bigint {
  const m = RFC3339.exec(s);
  const bad = (why: string): never => {
    throw integrityError(`invalid timestamp ${JSON.stringify(s)}: ${why}`);
  };
  if (m === null) return bad('not RFC 3339 with a time zone');
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12) bad('month out of range');
  if (day < 1 || day > daysInMonth(year, month)) bad('day out of range');
  if (hour > 23) bad('hour out of range');
  if (minute > 59) bad('minute out of range');
  if (second > 59) bad('second out of range');
  let offset = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) bad('zone offset out of range');
    offset = (oh * 60 + om) * 60 * (m[9] === '-' ? -1 : 1);
  }
  const frac = m[7] === undefined ? 0n : BigInt(m[7].slice(0, 9).padEnd(9, '0'));
  const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return BigInt(local - offset) * NS_PER_SECOND + frac;
}
