/**
 * A snapshot's time as restic (Go) holds it after reading the JSON: an instant plus the
 * zone it was written in. Go's time.Parse keeps a numeric offset (`+05:30`) as a fixed
 * zone, or as the process's Local zone (TZ) when Local has exactly that offset at that
 * instant; `Z` is always UTC. restic buckets by the wall clock in that zone (so a
 * snapshot written at 00:30+05:30 is a "daily" of that day, whatever TZ says), and the
 * keep-within cut-off is calendar arithmetic (AddDate) in the newest snapshot's zone,
 * where Local's daylight-saving changes can move it by an hour.
 */
import { invalidInput } from '../errors.ts';
import { civilFromDays, daysFromCivil, isoWeek } from '../format/calendar.ts';
import type { RetentionDuration } from './calendar-duration.ts';

const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400;

/** An instant and the zone whose wall clock it is read in. */
export interface ZonedTime {
  /** Nanoseconds since 1970-01-01T00:00:00Z. */
  readonly ns: bigint;
  /** Seconds east of UTC at this instant. */
  readonly offsetSeconds: number;
  /** IANA name when the zone is Go's Local (offsets then follow its rules in AddDate); else a fixed offset. */
  readonly localZone?: string;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Days since 1970-01-01 of the wall-clock date. */
  days: number;
  /** Seconds since midnight. */
  secondOfDay: number;
  /** 0..999_999_999 */
  nanosecond: number;
}

function splitSeconds(ns: bigint): { seconds: number; nanosecond: number } {
  let seconds = ns / NS_PER_SECOND;
  let frac = ns % NS_PER_SECOND;
  if (frac < 0n) {
    frac += NS_PER_SECOND;
    seconds -= 1n;
  }
  return { seconds: Number(seconds), nanosecond: Number(frac) };
}

export function wallClock(t: ZonedTime): WallClock {
  const { seconds, nanosecond } = splitSeconds(t.ns);
  const local = seconds + t.offsetSeconds;
  const days = Math.floor(local / SECONDS_PER_DAY);
  const secondOfDay = local - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    days,
    secondOfDay,
    nanosecond,
  };
}

/** Go's `Time.ISOWeek` of the wall-clock date. */
export function isoWeekOf(t: ZonedTime): { year: number; week: number } {
  return isoWeek(wallClock(t).days);
}

/**
 * The zone Go gives a parsed time: `Z` (offset undefined) is UTC; a numeric offset is
 * Local when `localZone` has that same offset at that instant, else a fixed zone.
 */
export function zonedTime(ns: bigint, recordedOffsetSeconds: number | undefined, localZone: string | undefined): ZonedTime {
  if (recordedOffsetSeconds === undefined) return { ns, offsetSeconds: 0 };
  if (localZone !== undefined && zoneOffsetSeconds(localZone, splitSeconds(ns).seconds) === recordedOffsetSeconds) {
    return { ns, offsetSeconds: recordedOffsetSeconds, localZone };
  }
  return { ns, offsetSeconds: recordedOffsetSeconds };
}

/**
 * Go's `t.AddDate(-years, -months, -days).Add(-hours)`: the same wall-clock time so many
 * calendar years, months and days earlier (months and days overflowing as time.Date
 * normalises them: March 31 minus one month is March 3 or 2), then exact hours earlier.
 */
export function subtractDuration(t: ZonedTime, d: RetentionDuration): bigint {
  const w = wallClock(t);
  const days = daysFromCivil(w.year - d.years, w.month - d.months, w.day - d.days);
  const wallSeconds = days * SECONDS_PER_DAY + w.secondOfDay;
  const unixSeconds = wallSeconds - offsetForWallTime(t, wallSeconds);
  return BigInt(unixSeconds) * NS_PER_SECOND + BigInt(w.nanosecond) - BigInt(d.hours) * 3600n * NS_PER_SECOND;
}

/** The offset Go's time.Date picks for a wall-clock time in the zone of `t`. */
function offsetForWallTime(t: ZonedTime, wallSeconds: number): number {
  if (t.localZone === undefined) return t.offsetSeconds;
  // time.Date: look the zone up at the wall time taken as UTC; if the resulting instant
  // lies in another zone period, use that period's offset instead.
  const guess = zoneOffsetSeconds(t.localZone, wallSeconds);
  const actual = zoneOffsetSeconds(t.localZone, wallSeconds - guess);
  return actual === guess ? guess : actual;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const OFFSET_TEXT = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;
/** Outside this range Date cannot hold the instant: such times are read as UTC. */
const MAX_DATE_SECONDS = 8_640_000_000_000;

/** Seconds east of UTC of an IANA zone at an instant (Node's ICU time zone data). */
export function zoneOffsetSeconds(zone: string, unixSeconds: number): number {
  let format = offsetFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch (e) {
      throw invalidInput(`unknown time zone '${zone}'`, e);
    }
    offsetFormats.set(zone, format);
  }
  if (Math.abs(unixSeconds) > MAX_DATE_SECONDS) return 0;
  const text = format.formatToParts(new Date(unixSeconds * 1000)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = OFFSET_TEXT.exec(text);
  if (m === null) throw invalidInput(`time zone '${zone}': cannot read its offset from '${text}'`);
  if (m[1] === undefined) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -seconds : seconds;
}

/**
 * Go's RFC 3339 with nanoseconds in the time's own zone, as restic's JSON shows it:
 * `2024-02-29T23:30:00.5+05:30`, `Z` for a zero offset.
 */
export function formatZonedTime(t: ZonedTime): string {
  const w = wallClock(t);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const year = w.year < 0 ? '-' + pad(-w.year, 4) : pad(w.year, 4);
  let s = `${year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  if (w.nanosecond !== 0) s += '.' + String(w.nanosecond).padStart(9, '0').replace(/0+$/, '');
  if (t.offsetSeconds === 0) return s + 'Z';
  const abs = Math.abs(t.offsetSeconds);
  return s + (t.offsetSeconds < 0 ? '-' : '+') + pad(Math.floor(abs / 3600)) + ':' + pad(Math.floor(abs / 60) % 60);
}
