import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/engine/errors.ts';
import { parseTime } from '../../src/engine/format/index.ts';
import { civilFromDays, daysFromCivil, isoWeek } from '../../src/engine/format/calendar.ts';
import { compareGoStrings } from '../../src/engine/retention/group.ts';
import {
  applyPolicy,
  describeGroupKey,
  describePolicy,
  forgetJson,
  formatRetentionDuration,
  groupKeyJson,
  groupKeyOf,
  parseGroupBy,
  parsePolicy,
  parseRetentionDuration,
  planForget,
  recordedOffsetSeconds,
  retentionEntryFromDocument,
  ruleName,
  type RetentionEntry,
  type RetentionPolicy,
} from '../../src/engine/retention/index.ts';
import { formatZonedTime, subtractDuration, wallClock, zonedTime } from '../../src/engine/retention/wall-clock.ts';
import { expectCode } from '../helpers/expect-code.ts';

const TREE = 'ab'.repeat(32);
let counter = 0;

/** An entry whose time is written as given (`Z` or an offset), with a recognisable id. */
function snap(time: string, extra: { host?: string; paths?: string[]; tags?: string[]; id?: string } = {}): RetentionEntry {
  counter++;
  const id = extra.id ?? counter.toString(16).padStart(64, '0');
  const offset = recordedOffsetSeconds(time);
  const snapshot = {
    time: parseTime(time),
    tree: TREE,
    paths: extra.paths ?? ['/data'],
    hostname: extra.host ?? 'host',
    ...(extra.tags ? { tags: extra.tags } : {}),
  };
  return offset === undefined ? { id, snapshot } : { id, snapshot, recordedOffsetSeconds: offset };
}

const NOW = Date.parse('2030-01-01T00:00:00Z');
const apply = (entries: RetentionEntry[], policy: RetentionPolicy, localTimeZone?: string) =>
  applyPolicy(entries, policy, { nowMs: NOW, ...(localTimeZone ? { localTimeZone } : {}) });
const keptIds = (r: { keep: RetentionEntry[] }) => r.keep.map((e) => e.id);
const d = (text: string) => parseRetentionDuration(text);

function expectInvalidInput(fn: () => unknown, message: RegExp): void {
  expect(expectCode(ErrorCode.InvalidInput, fn).message).toMatch(message);
}

describe('restic durations (keep-within)', () => {
  it('reads years, months, days and hours in any order', () => {
    expect(d('1y2m3d4h')).toEqual({ years: 1, months: 2, days: 3, hours: 4 });
    expect(d('30d')).toEqual({ years: 0, months: 0, days: 30, hours: 0 });
    expect(d(' 12h2d ')).toEqual({ years: 0, months: 0, days: 2, hours: 12 });
    expect(d('')).toEqual({ years: 0, months: 0, days: 0, hours: 0 });
  });

  it('prints them as restic does: zero parts left out, y m d h order', () => {
    expect(formatRetentionDuration(d('4h3d2m1y'))).toBe('1y2m3d4h');
    expect(formatRetentionDuration(d('0y30d'))).toBe('30d');
  });

  it('refuses what restic would misread or crash on', () => {
    expectInvalidInput(() => d('30'), /the number 30 has no unit/);
    expectInvalidInput(() => d('d'), /keep-within: 'd' is not a duration: use a number/);
    expectInvalidInput(() => d('5M'), /'M' is not a unit/);
    expectInvalidInput(() => d('-1d'), /'-1d' is not a duration: use a number/);
    expectInvalidInput(() => d('1d2d'), /the unit d is given twice/);
    expectInvalidInput(() => d('30 d'), /the number 30 has no unit/);
    expectInvalidInput(() => d('1.5d'), /use whole numbers/);
    expectInvalidInput(() => d('1d-2h'), /'-2h' has no number/);
    expectInvalidInput(() => d('٣d'), /is not a duration: use a number/); // restic 0.14 panics on non-ASCII digits
    expectInvalidInput(() => d('3000000h'), /3000000h is too long/);
  });

  it('names the setting, the value and the units restic takes in one line', () => {
    const message = (text: string, what?: string) => expectCode(ErrorCode.InvalidInput, () => parseRetentionDuration(text, what)).message;
    expect(message('30days', "input 'keep-within'")).toBe(
      "input 'keep-within': '30days' is not a duration: write 30days as 30d; use a number and a unit y, m, d or h, such as 30d or 1y6m",
    );
    expect(message('30x', '--keep-within')).toBe("--keep-within: '30x' is not a duration: 'x' is not a unit; use a number and a unit y, m, d or h, such as 30d or 1y6m");
    expect(message('30')).toBe("keep-within: '30' is not a duration: the number 30 has no unit; use a number and a unit y, m, d or h, such as 30d or 1y6m");
  });

  it('turns weeks, which restic does not take, into days, and spelled-out units into letters', () => {
    expectInvalidInput(() => d('2w'), /^keep-within: '2w' is not a duration: write 2w as 14d; use a number and a unit y, m, d or h/);
    expectInvalidInput(() => d('2w3d12h'), /write 2w as 14d/);
    expectInvalidInput(() => d('3weeks'), /write 3weeks as 21d/);
    expectInvalidInput(() => d('1year'), /write 1year as 1y/);
    expectInvalidInput(() => d('6Months'), /write 6Months as 6m/);
    expectInvalidInput(() => d('12hours'), /write 12hours as 12h/);
    // Minutes are no unit of restic's either, and `m` is months: no suggestion that would change the meaning.
    expectInvalidInput(() => d('90min'), /'min' is not a unit; use a number/);
  });

  it('accepts the examples the documentation gives', () => {
    expect(d('17d12h')).toEqual({ years: 0, months: 0, days: 17, hours: 12 });
    expect(d('1y6m')).toEqual({ years: 1, months: 6, days: 0, hours: 0 });
    expect(d('1y2m')).toEqual({ years: 1, months: 2, days: 0, hours: 0 });
  });
});

describe('parsePolicy', () => {
  it('refuses an empty policy and says what to set', () => {
    for (const empty of [{}, { keepLast: 0 }, { keepDaily: '', keepWithin: '' }, { keepWithin: '0d', keepTags: [] }]) {
      expectInvalidInput(() => parsePolicy(empty), /policy is empty: set at least one of keep-last.*keep-within.*keep-tag.*forget never removes every snapshot by accident/);
    }
  });

  it('refuses negative and fractional counts, also in hand-built policies', () => {
    expectInvalidInput(() => parsePolicy({ keepLast: -1 }), /keep-last must be a whole number/);
    expectInvalidInput(() => parsePolicy({ keepDaily: 1.5 }), /keep-daily must be a whole number/);
    expectInvalidInput(() => parsePolicy({ keepWeekly: '2 weeks' }), /keep-weekly must be a whole number/);
    expectInvalidInput(() => parsePolicy({ keepMonthly: '-3' }), /keep-monthly/);
    expectInvalidInput(() => parsePolicy({ keepWithinDaily: '7x' }), /keep-within-daily: '7x'/);
    // restic 0.14 takes keep-last -1 as a non-empty policy that keeps nothing
    expectInvalidInput(() => apply([snap('2024-01-01T00:00:00Z')], { keepLast: -1 }), /keep-last/);
    expectInvalidInput(() => apply([snap('2024-01-01T00:00:00Z')], {}), /policy is empty/);
  });

  it("names the shell's settings when given their names: counts with the value, and the empty policy with every setting", () => {
    const names = { rule: (rule: Parameters<typeof ruleName>[0]) => `--${ruleName(rule)}`, all: '--keep-last or --keep-tag' };
    expectInvalidInput(() => parsePolicy({ keepLast: '-3' }, names), /^--keep-last must be a whole number of snapshots \(0 or more\), got '-3'$/);
    expectInvalidInput(() => parsePolicy({ keepWithin: '2w' }, names), /^--keep-within: '2w' is not a duration: write 2w as 14d/);
    expectInvalidInput(() => parsePolicy({ keepLast: '0' }, names), /^the retention policy is empty: set at least one of --keep-last or --keep-tag \(/);
  });

  it('reads counts as text, durations and restic-style tag lists', () => {
    expect(parsePolicy({ keepLast: ' 14 ', keepDaily: 0, keepWithin: '30d', keepTags: ['daily, db', ['x'], ''] })).toEqual({
      keepLast: 14,
      keepWithin: { years: 0, months: 0, days: 30, hours: 0 },
      keepTags: [['daily', 'db'], ['x'], ['']],
    });
    expectInvalidInput(() => parsePolicy({ keepTags: [[]] }), /at least one tag/);
  });

  it("describes a policy in restic's words", () => {
    expect(describePolicy(parsePolicy({ keepLast: 14, keepWithin: '30d' }))).toBe('keep 14 latest snapshots and all snapshots within 30d of the newest');
    expect(describePolicy(parsePolicy({ keepDaily: 7, keepWeekly: 4, keepWithinDaily: '1m', keepTags: ['a,b', 'c'] }))).toBe(
      'keep 7 daily, 4 weekly snapshots, daily snapshots within 1m and all snapshots with tags [[a, b] [c]]',
    );
  });
});

describe('calendar', () => {
  it("normalises out-of-range months and days as Go's time.Date does", () => {
    expect(daysFromCivil(2024, 2, 31)).toBe(daysFromCivil(2024, 3, 2));
    expect(daysFromCivil(2023, 2, 29)).toBe(daysFromCivil(2023, 3, 1));
    expect(daysFromCivil(2024, 0, 15)).toBe(daysFromCivil(2023, 12, 15));
    expect(daysFromCivil(2024, -13, 1)).toBe(daysFromCivil(2022, 11, 1));
    expect(daysFromCivil(2024, 14, 1)).toBe(daysFromCivil(2025, 2, 1));
    expect(daysFromCivil(2024, 3, 0)).toBe(daysFromCivil(2024, 2, 29));
    expect(daysFromCivil(2024, 3, -30)).toBe(daysFromCivil(2024, 1, 30));
    expect(civilFromDays(daysFromCivil(0, 1, 1))).toEqual({ year: 0, month: 1, day: 1 });
    expect(civilFromDays(daysFromCivil(-1, 12, 31) + 1)).toEqual({ year: 0, month: 1, day: 1 });
  });

  it('numbers ISO weeks like Go, including week 53', () => {
    const week = (y: number, m: number, day: number) => isoWeek(daysFromCivil(y, m, day));
    expect(week(2015, 12, 31)).toEqual({ year: 2015, week: 53 });
    expect(week(2016, 1, 3)).toEqual({ year: 2015, week: 53 });
    expect(week(2016, 1, 4)).toEqual({ year: 2016, week: 1 });
    expect(week(2020, 12, 31)).toEqual({ year: 2020, week: 53 });
    expect(week(2021, 1, 3)).toEqual({ year: 2020, week: 53 });
    expect(week(2018, 12, 31)).toEqual({ year: 2019, week: 1 });
    expect(week(2026, 12, 31)).toEqual({ year: 2026, week: 53 });
    expect(week(2024, 1, 1)).toEqual({ year: 2024, week: 1 });
  });

  it('agrees with a textbook ISO week computation on every day from 1899 to 2101', () => {
    // Textbook: week = floor((ordinal - weekday + 10) / 7), adjusted into the neighbour years.
    const weeksIn = (y: number) => {
      const jan1 = ((((daysFromCivil(y, 1, 1) + 3) % 7) + 7) % 7) + 1;
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
    };
    let mismatches = 0;
    for (let days = daysFromCivil(1899, 1, 1); days <= daysFromCivil(2101, 12, 31); days++) {
      const { year } = civilFromDays(days);
      const ordinal = days - daysFromCivil(year, 1, 1) + 1;
      const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
      let w = Math.floor((ordinal - weekday + 10) / 7);
      let y = year;
      if (w < 1) w = weeksIn(--y);
      else if (w > weeksIn(year)) {
        w = 1;
        y++;
      }
      const got = isoWeek(days);
      if (got.year !== y || got.week !== w) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('wall clock in the recorded offset', () => {
  it('reads the fields in the offset the time was written with', () => {
    const t = zonedTime(parseTime('2024-03-10T00:30:00+05:30'), 19_800, undefined);
    expect(wallClock(t)).toMatchObject({ year: 2024, month: 3, day: 10, hour: 0, minute: 30 });
    expect(formatZonedTime(t)).toBe('2024-03-10T00:30:00+05:30');
    expect(formatZonedTime(zonedTime(parseTime('2024-03-10T00:30:00.120+00:00'), 0, undefined))).toBe('2024-03-10T00:30:00.12Z');
    expect(formatZonedTime(zonedTime(parseTime('2024-03-10T00:30:00-09:45'), -35_100, undefined))).toBe('2024-03-10T00:30:00-09:45');
  });

  it('subtracts months in the wall clock of the offset (March 31 at +05:30 is March 30 in UTC)', () => {
    // 2024-03-31T02:00+05:30 minus one month: "February 31" is March 2, at 02:00+05:30.
    const local = zonedTime(parseTime('2024-03-31T02:00:00+05:30'), 19_800, undefined);
    expect(subtractDuration(local, d('1m'))).toBe(parseTime('2024-03-02T02:00:00+05:30'));
    // The same instant read in UTC (March 30, 20:30) gives March 1, 20:30Z: a day apart.
    const utc = zonedTime(parseTime('2024-03-31T02:00:00+05:30'), undefined, undefined);
    expect(subtractDuration(utc, d('1m'))).toBe(parseTime('2024-03-01T20:30:00Z'));
    // Years from a leap day, and exact hours after the calendar step; nanoseconds kept.
    const leap = zonedTime(parseTime('2024-02-29T08:00:00.000000007Z'), undefined, undefined);
    expect(subtractDuration(leap, d('1y'))).toBe(parseTime('2023-03-01T08:00:00.000000007Z'));
    expect(subtractDuration(leap, d('1y2m3d4h'))).toBe(parseTime('2022-12-26T04:00:00.000000007Z'));
  });

  it("uses the Local zone's daylight saving only when the offset is Local's at that instant", () => {
    const winter = parseTime('2024-01-15T12:00:00+01:00');
    const berlin = zonedTime(winter, 3600, 'Europe/Berlin');
    expect(berlin.localZone).toBe('Europe/Berlin');
    expect(subtractDuration(berlin, d('3m'))).toBe(parseTime('2023-10-15T10:00:00Z'));
    // Same instant in New York, or written with Z: a fixed zone, no daylight saving.
    expect(zonedTime(winter, 3600, 'America/New_York').localZone).toBeUndefined();
    expect(subtractDuration(zonedTime(winter, 3600, 'America/New_York'), d('3m'))).toBe(parseTime('2023-10-15T11:00:00Z'));
    expect(zonedTime(parseTime('2024-01-15T11:00:00Z'), undefined, 'UTC').localZone).toBeUndefined();
    // Into a wall time that does not exist (spring forward) and one that exists twice (fall back).
    const spring = zonedTime(parseTime('2024-04-30T02:30:00+02:00'), 7200, 'Europe/Berlin');
    expect(subtractDuration(spring, d('30d'))).toBe(parseTime('2024-03-31T01:30:00Z'));
    const autumn = zonedTime(parseTime('2024-11-26T02:30:00+01:00'), 3600, 'Europe/Berlin');
    expect(subtractDuration(autumn, d('30d'))).toBe(parseTime('2024-10-27T01:30:00Z'));
  });

  it('refuses an unknown time zone name', () => {
    expectInvalidInput(() => zonedTime(0n, 0, 'Mars/Olympus_Mons'), /unknown time zone/);
  });
});

describe('grouping', () => {
  it('parses group-by as restic does', () => {
    expect(parseGroupBy()).toEqual({ host: true, paths: true, tags: false });
    expect(parseGroupBy('')).toEqual({ host: false, paths: false, tags: false });
    expect(parseGroupBy('hosts,path,tag')).toEqual({ host: true, paths: true, tags: true });
    expect(parseGroupBy('tags,,host')).toEqual({ host: true, paths: false, tags: true });
    expectInvalidInput(() => parseGroupBy('host, paths'), /unknown grouping option ' paths'/);
    expectInvalidInput(() => parseGroupBy('user'), /unknown grouping option 'user'/);
  });

  it('keys groups by sorted, not deduplicated, paths and tags', () => {
    const by = parseGroupBy('host,paths,tags');
    const a = groupKeyOf(snap('2024-01-01T00:00:00Z', { paths: ['/b', '/a'], tags: ['y', 'x'] }), by);
    const b = groupKeyOf(snap('2024-01-01T00:00:00Z', { paths: ['/a', '/b'], tags: ['x', 'y'] }), by);
    const c = groupKeyOf(snap('2024-01-01T00:00:00Z', { paths: ['/a', '/a', '/b'], tags: ['x', 'y'] }), by);
    expect(groupKeyJson(a)).toBe('{"hostname":"host","paths":["/a","/b"],"tags":["x","y"]}');
    expect(groupKeyJson(b)).toBe(groupKeyJson(a));
    expect(groupKeyJson(c)).not.toBe(groupKeyJson(a));
    expect(describeGroupKey(a)).toBe('host [host], tags [x, y], paths [/a, /b]');
    const untagged = groupKeyOf(snap('2024-01-01T00:00:00Z'), parseGroupBy('tags'));
    expect(groupKeyJson(untagged)).toBe('{"hostname":"","paths":null,"tags":null}');
    expect(describeGroupKey(groupKeyOf(snap('2024-01-01T00:00:00Z'), parseGroupBy('')))).toBe('');
  });

  it("sorts in Go's byte order (code points), not JavaScript's UTF-16 order", () => {
    expect(['\u{10000}', '\uffff'].sort(compareGoStrings)).toEqual(['\uffff', '\u{10000}']);
    expect(['b', 'B', 'a', 'ab', ''].sort(compareGoStrings)).toEqual(['', 'B', 'a', 'ab', 'b']);
  });

  it('decides each group on its own', () => {
    const entries = [
      snap('2024-01-01T00:00:00Z', { host: 'a', id: 'a1'.padEnd(64, '0') }),
      snap('2024-01-02T00:00:00Z', { host: 'a', id: 'a2'.padEnd(64, '0') }),
      snap('2024-01-01T00:00:00Z', { host: 'b', id: 'b1'.padEnd(64, '0') }),
    ];
    const plan = planForget(entries, parsePolicy({ keepLast: 1 }), { nowMs: NOW });
    expect(plan.groups.map((g) => [g.key.hostname, keptIds(g), g.remove.map((e) => e.id)])).toEqual([
      ['a', [entries[1]!.id], [entries[0]!.id]],
      ['b', [entries[2]!.id], []],
    ]);
    const one = planForget(entries, parsePolicy({ keepLast: 1 }), { nowMs: NOW, groupBy: '' });
    expect(one.groups.length).toBe(1);
    expect(keptIds(one.groups[0]!)).toEqual([entries[1]!.id]);
  });
});

describe('applyPolicy', () => {
  it('keeps the newest snapshot of each of the last n days, newest first, with reasons and counters', () => {
    const entries = [
      snap('2024-05-01T08:00:00Z'),
      snap('2024-05-01T20:00:00Z'),
      snap('2024-05-02T09:00:00Z'),
      snap('2024-05-03T09:00:00Z'),
      snap('2024-04-30T23:59:59Z'),
    ];
    const r = apply(entries, { keepDaily: 3 });
    expect(keptIds(r)).toEqual([entries[3]!.id, entries[2]!.id, entries[1]!.id]);
    expect(r.remove.map((e) => e.id)).toEqual([entries[0]!.id, entries[4]!.id]);
    expect(r.reasons.map((x) => [x.matches, x.counters.daily])).toEqual([
      [['daily snapshot'], 2],
      [['daily snapshot'], 1],
      [['daily snapshot'], 0],
    ]);
  });

  it('buckets by the recorded wall clock, whatever the offset, DST-less or not', () => {
    // 00:30 at +05:30 and 23:00 at +05:30 are different days there, the same day (March 9) in UTC.
    const kolkata = [snap('2024-03-10T04:00:00+05:30'), snap('2024-03-10T00:30:00+05:30'), snap('2024-03-09T23:00:00+05:30')];
    expect(keptIds(apply(kolkata, { keepDaily: 5 }))).toEqual([kolkata[0]!.id, kolkata[2]!.id]);
    // Newest first: June 30 at -08:00 (July 1 in UTC), July 1 at +14:00 (June 30 in UTC), June 15.
    // By wall clock the months go June, July, June: three buckets (a bucket only has to differ
    // from the previous snapshot's); in UTC it would be July, June, June.
    const months = [snap('2022-07-01T05:00:00+14:00'), snap('2022-06-30T23:30:00-08:00'), snap('2022-06-15T00:00:00Z')];
    expect(keptIds(apply(months, { keepMonthly: 5 }))).toEqual([months[1]!.id, months[0]!.id, months[2]!.id]);
    // Sunday 2021-01-03 23:30 at -02:00 is still ISO week 2020-W53 there.
    const weeks = [snap('2021-01-04T12:00:00Z'), snap('2021-01-03T23:30:00-02:00'), snap('2020-12-28T12:00:00Z')];
    expect(keptIds(apply(weeks, { keepWeekly: 5 }))).toEqual([weeks[0]!.id, weeks[1]!.id]);
    // A new year seen from both sides: 20:00-05:00 (2022 there) is newer than 00:30+01:00 (2023 there).
    const years = [snap('2023-01-01T00:30:00+01:00'), snap('2022-12-31T20:00:00-05:00'), snap('2022-06-01T00:00:00Z')];
    expect(keptIds(apply(years, { keepYearly: 5 }))).toEqual([years[1]!.id, years[0]!.id, years[2]!.id]);
    expect(keptIds(apply([years[0]!, years[2]!], { keepYearly: 5 }))).toEqual([years[0]!.id, years[2]!.id]);
    expect(keptIds(apply([years[1]!, years[2]!], { keepYearly: 5 }))).toEqual([years[1]!.id]);
  });

  it('counts keep-within from the newest snapshot, not from now, with month-end overflow', () => {
    const entries = [
      snap('2024-03-31T10:00:00Z'),
      snap('2024-03-02T10:00:00.000000001Z'),
      snap('2024-03-02T10:00:00Z'), // exactly at the cut-off: not after it
      snap('2024-03-01T00:00:00Z'), // kept by a "clamp to February 29" reading
    ];
    const r = apply(entries, { keepWithin: d('1m') });
    expect(keptIds(r)).toEqual([entries[0]!.id, entries[1]!.id]);
    expect(r.reasons[0]!.matches).toEqual(['within 1m']);
    expect(r.reasons[0]!.counters).toEqual({ last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 });
  });

  it('ignores future-dated snapshots when finding the newest, and keeps them', () => {
    const entries = [snap('2099-01-01T00:00:00Z'), snap('2024-01-10T00:00:00Z'), snap('2024-01-05T00:00:00Z'), snap('2023-12-01T00:00:00Z')];
    const r = apply(entries, { keepWithin: d('7d') });
    expect(keptIds(r)).toEqual([entries[0]!.id, entries[1]!.id, entries[2]!.id]);
    // Only future snapshots: the newest is Go's zero time (year 1), so everything is within.
    const future = [snap('2099-01-01T00:00:00Z'), snap('2098-01-01T00:00:00Z')];
    expect(keptIds(apply(future, { keepWithin: d('1d') }))).toEqual([future[0]!.id, future[1]!.id]);
  });

  it('keeps identical times in input order, and same-second ones by their nanoseconds', () => {
    const [a, b, c] = [snap('2024-01-01T00:00:00Z'), snap('2024-01-01T00:00:00Z'), snap('2024-01-01T00:00:00.000000001Z')];
    expect(keptIds(apply([a!, b!, c!], { keepLast: 2 }))).toEqual([c!.id, a!.id]);
    expect(keptIds(apply([b!, a!, c!], { keepLast: 2 }))).toEqual([c!.id, b!.id]);
    expect(keptIds(apply([a!, b!, c!], { keepDaily: 1 }))).toEqual([c!.id]);
  });

  it('keeps everything when the counts are larger than the history', () => {
    const entries = [snap('2024-01-01T00:00:00Z'), snap('2023-01-01T00:00:00Z'), snap('2022-01-01T00:00:00Z')];
    const r = apply(entries, { keepLast: 100, keepYearly: 100 });
    expect(r.remove).toEqual([]);
    expect(r.reasons.map((x) => [x.matches, x.counters])).toEqual([
      [['last snapshot', 'yearly snapshot'], { last: 99, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 99 }],
      [['last snapshot', 'yearly snapshot'], { last: 98, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 98 }],
      [['last snapshot', 'yearly snapshot'], { last: 97, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 97 }],
    ]);
    expect(apply([], { keepLast: 1 })).toEqual({ keep: [], remove: [], reasons: [] });
  });

  it("matches tag lists with restic's rules, '' meaning untagged", () => {
    const tagged = snap('2024-01-03T00:00:00Z', { tags: ['daily', 'db'] });
    const other = snap('2024-01-02T00:00:00Z', { tags: ['daily'] });
    const untagged = snap('2024-01-01T00:00:00Z');
    const entries = [tagged, other, untagged];
    expect(keptIds(apply(entries, { keepTags: [['db', 'daily']] }))).toEqual([tagged.id]);
    expect(keptIds(apply(entries, { keepTags: [['']] }))).toEqual([untagged.id]);
    // restic stops at a leading '' on an untagged snapshot, but needs every tag otherwise
    expect(keptIds(apply(entries, { keepTags: [['', 'x']] }))).toEqual([untagged.id]);
    expect(keptIds(apply(entries, { keepTags: [['x', '']] }))).toEqual([]);
    const r = apply(entries, { keepTags: [['daily'], ['db']] });
    expect(r.reasons.map((x) => x.matches)).toEqual([['has tags [daily]', 'has tags [db]'], ['has tags [daily]']]);
  });

  it("orders reasons as restic does: tags, within, counts, then the within-periods", () => {
    const entries = [snap('2024-01-10T12:00:00Z', { tags: ['x'] }), snap('2024-01-10T08:00:00Z')];
    const policy = parsePolicy({ keepTags: ['x'], keepWithin: '2d', keepLast: 1, keepDaily: 1, keepWithinHourly: '1d', keepWithinDaily: '1d' });
    const r = apply(entries, policy);
    expect(r.reasons.map((x) => x.matches)).toEqual([
      ['has tags [x]', 'within 2d', 'last snapshot', 'daily snapshot', 'hourly within 1d', 'daily within 1d'],
      ['within 2d', 'hourly within 1d'],
    ]);
  });
});

describe('forget --json shape', () => {
  it('prints groups like restic: key, snapshots with sorted paths, null lists, counters without zeros', () => {
    const entries = [
      snap('2024-01-02T00:00:00+05:30', { paths: ['/z', '/a'], tags: ['b', 'a'], id: 'c'.repeat(64) }),
      snap('2024-01-01T00:00:00Z', { paths: ['/a', '/z'], tags: ['b', 'a'], id: 'd'.repeat(64) }),
    ];
    const [group] = forgetJson(planForget(entries, parsePolicy({ keepLast: 1 }), { nowMs: NOW }));
    expect(group).toEqual({
      tags: null,
      host: 'host',
      paths: ['/a', '/z'],
      keep: [
        {
          time: '2024-01-02T00:00:00+05:30',
          tree: TREE,
          paths: ['/a', '/z'],
          hostname: 'host',
          tags: ['b', 'a'],
          id: 'c'.repeat(64),
          short_id: 'cccccccc',
        },
      ],
      remove: [{ time: '2024-01-01T00:00:00Z', tree: TREE, paths: ['/a', '/z'], hostname: 'host', tags: ['b', 'a'], id: 'd'.repeat(64), short_id: 'dddddddd' }],
      reasons: [
        {
          snapshot: { time: '2024-01-02T00:00:00+05:30', tree: TREE, paths: ['/a', '/z'], hostname: 'host', tags: ['b', 'a'] },
          matches: ['last snapshot'],
          counters: {},
        },
      ],
    });
    // Grouped by tags, restic shows the tags sorted too; a group with nothing kept has keep: null.
    const [byTags] = forgetJson(planForget(entries, parsePolicy({ keepTags: ['x'] }), { nowMs: NOW, groupBy: 'tags' }));
    expect(byTags!.tags).toEqual(['a', 'b']);
    expect(byTags!.keep).toBeNull();
    expect(byTags!.reasons).toBeNull();
    expect(byTags!.remove!.map((s) => s['tags'])).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('takes our own snapshot JSON instead', () => {
    const entries = [snap('2024-01-01T00:00:00Z', { id: 'e'.repeat(64) })];
    const [group] = forgetJson(planForget(entries, parsePolicy({ keepLast: 1 }), { nowMs: NOW }), (e) => ({ id: e.id, short_id: 'x', mine: true }));
    expect(group!.keep).toEqual([{ id: 'e'.repeat(64), short_id: 'x', mine: true }]);
    expect(group!.reasons![0]!.snapshot).toEqual({ mine: true });
  });
});

describe('recorded offsets', () => {
  it('reads the offset a snapshot file was written with', () => {
    expect(recordedOffsetSeconds('2024-01-01T00:00:00Z')).toBeUndefined();
    expect(recordedOffsetSeconds('2024-01-01T00:00:00+00:00')).toBe(0);
    expect(recordedOffsetSeconds('2024-01-01T00:00:00.5+05:30')).toBe(19_800);
    expect(recordedOffsetSeconds('2024-01-01T00:00:00-09:45')).toBe(-35_100);
    const json = new TextEncoder().encode(`{"time":"2024-03-10T00:30:00.25+05:30","tree":"${TREE}","paths":["/x"],"hostname":"h"}`);
    const e = retentionEntryFromDocument('f'.repeat(64), json);
    expect(e.recordedOffsetSeconds).toBe(19_800);
    expect(e.snapshot.time).toBe(parseTime('2024-03-09T19:00:00.25Z'));
    expect(e.snapshot.paths).toEqual(['/x']);
  });
});
