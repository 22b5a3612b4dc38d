/**
 * Golden tests: chunkvault's forget decisions equal `restic forget --dry-run --json`
 * (restic 0.14) on the same repository, for years of generated history plus odd times,
 * across a matrix of policies, group-by choices and time zones. The whole JSON document
 * is compared: group keys, kept and removed snapshots (ids, times as written, sorted
 * paths and tags), reasons and counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../../src/engine/format/index.ts';
import {
  describePolicy,
  forgetJson,
  parsePolicy,
  planForget,
  type ForgetGroupJson,
  type RetentionEntry,
  type RetentionPolicyInput,
} from '../../src/engine/retention/index.ts';
import { runRestic } from '../helpers/restic.ts';
import { createSnapshotRepository, generateHistory, writeSnapshots, type SnapshotRepository, type SnapshotSpec } from '../helpers/snapshot-history.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const at = (host: string, paths: string[], times: string[], tags?: string[]): SnapshotSpec[] =>
  times.map((time) => ({ time, hostname: host, paths, ...(tags ? { tags } : {}) }));

const dailyAtNoon = (fromUtc: string, days: number): string[] =>
  Array.from({ length: days }, (_, i) => new Date(Date.parse(fromUtc) + i * 86_400_000).toISOString().replace('.000Z', 'Z'));

/** Hand-picked times that break naive implementations, each in a group of its own host. */
const ODD: SnapshotSpec[] = [
  // same second, different nanoseconds
  ...at('odd', ['/odd'], ['2023-05-05T12:00:00Z', '2023-05-05T12:00:00.000000001Z', '2023-05-05T12:00:00.5Z']),
  // identical times (three identical snapshots, and two with an offset): restic orders them as it loads them
  ...at('odd', ['/odd'], ['2023-05-06T08:00:00Z', '2023-05-06T08:00:00Z', '2023-05-06T08:00:00Z'], ['tie']),
  ...at('odd', ['/odd'], ['2023-05-07T01:00:00+05:30', '2023-05-07T01:00:00+05:30']),
  // midnight and the nanosecond before it; 00:00 at +05:30 is the previous day in UTC
  ...at('odd', ['/odd'], ['2023-06-01T00:00:00Z', '2023-05-31T23:59:59.999999999Z', '2023-06-02T00:00:00+05:30']),
  // new year, seen from both sides of UTC
  ...at('odd', ['/odd'], ['2022-12-31T23:59:59.999999999Z', '2023-01-01T00:00:00Z', '2023-01-01T00:30:00+01:00', '2022-12-31T20:00:00-05:00']),
  // February 29, also at -12:00 (March 1 in UTC)
  ...at('odd', ['/odd'], ['2024-02-29T12:00:00Z', '2020-02-29T23:59:59-12:00']),
  // month ends across offsets: June in its wall clock, July in UTC, and the reverse
  ...at('odd', ['/odd'], ['2022-06-30T23:30:00-08:00', '2022-07-01T05:00:00+14:00'], ['nightly']),
  // written as +00:00 rather than Z
  ...at('odd', ['/odd'], ['2023-07-01T00:00:00+00:00']),
  // one nanosecond apart, different days in their own wall clocks
  ...at('odd', ['/odd'], ['2024-01-01T00:00:00Z', '2024-01-01T05:30:00.000000001+05:30']),
  // ISO weeks around 53-week years (2015, 2020); Sunday 2021-01-03 at -02:00 is 2020-W53, in UTC 2021-W01
  ...at('iso', ['/iso'], [...dailyAtNoon('2015-12-24T12:00:00Z', 16), ...dailyAtNoon('2020-12-24T12:00:00Z', 16), '2021-01-03T23:30:00-02:00']),
  // keep-within 1m from March 31 (2024): February 31 is March 2; 1m1d2h: March 1, 08:00
  ...at('month-end', ['/m'], [
    '2024-03-31T10:00:00Z',
    '2024-03-02T10:00:00.000000001Z',
    '2024-03-02T10:00:00Z',
    '2024-03-02T09:59:59Z',
    '2024-03-01T08:00:00.5Z',
    '2024-03-01T07:59:59Z',
    '2024-02-29T12:00:00.25Z',
  ]),
  // keep-within 1y from February 29: 2023-02-29 is March 1
  ...at('leap', ['/l'], ['2024-02-29T08:00:00Z', '2023-03-01T08:00:01Z', '2023-03-01T08:00:00Z', '2023-02-28T09:00:00Z']),
  // keep-within 3m from a winter time written in Berlin's (New York's) winter offset: in that TZ
  // Go computes the cut-off in October's summer time, an hour earlier
  ...at('dst', ['/d'], ['2024-01-15T12:00:00+01:00', '2023-10-15T11:30:00Z', '2023-10-15T10:30:00Z', '2023-10-15T09:30:00Z']),
  ...at('dst-ny', ['/d'], ['2024-01-15T12:00:00-05:00', '2023-10-15T17:30:00Z', '2023-10-15T16:30:00Z', '2023-10-15T15:30:00Z']),
  // keep-within 30d lands in Berlin's spring-forward gap (March 31, 02:30 does not exist) and in the
  // autumn hour that happens twice (October 27, 02:30): Go picks 01:30Z both times
  ...at('dst-gap', ['/d'], ['2024-04-30T02:30:00+02:00', '2024-03-31T01:30:00.5Z', '2024-03-31T01:29:59Z', '2024-03-31T00:30:00.5Z']),
  ...at('dst-overlap', ['/d'], ['2024-11-26T02:30:00+01:00', '2024-10-27T01:30:00.5Z', '2024-10-27T01:29:59Z', '2024-10-27T00:30:00.5Z']),
  // future-dated snapshots (a wrong clock): not the newest for keep-within; a group with only those
  ...at('alpha', ['/srv/app'], ['2099-01-01T00:00:00Z'], ['nightly']),
  ...at('future', ['/f'], ['2098-05-05T00:00:00Z', '2099-05-05T00:00:00+05:30']),
];

interface Case {
  name: string;
  args: string[];
  policy: RetentionPolicyInput;
  groupBy?: string;
  tz?: string;
}

const CASES: Case[] = [
  { name: 'keep-last', args: ['--keep-last', '5'], policy: { keepLast: 5 } },
  { name: 'keep-hourly', args: ['--keep-hourly', '30'], policy: { keepHourly: 30 } },
  { name: 'keep-daily', args: ['--keep-daily', '10'], policy: { keepDaily: 10 } },
  { name: 'keep-weekly', args: ['--keep-weekly', '12'], policy: { keepWeekly: 12 } },
  { name: 'keep-monthly', args: ['--keep-monthly', '8'], policy: { keepMonthly: 8 } },
  { name: 'keep-yearly', args: ['--keep-yearly', '4'], policy: { keepYearly: 4 } },
  { name: 'keep-within 30d', args: ['--keep-within', '30d'], policy: { keepWithin: '30d' } },
  { name: 'keep-within 1m (month end)', args: ['--keep-within', '1m'], policy: { keepWithin: '1m' } },
  { name: 'keep-within 1m1d2h', args: ['--keep-within', '1m1d2h'], policy: { keepWithin: '1m1d2h' } },
  { name: 'keep-within 1y (leap day)', args: ['--keep-within', '1y'], policy: { keepWithin: '1y' } },
  { name: 'keep-within 1y2m3d4h', args: ['--keep-within', '1y2m3d4h'], policy: { keepWithin: '1y2m3d4h' } },
  { name: 'keep-within 3m', args: ['--keep-within', '3m'], policy: { keepWithin: '3m' } },
  { name: 'keep-within-hourly', args: ['--keep-within-hourly', '2d'], policy: { keepWithinHourly: '2d' } },
  { name: 'keep-within-daily', args: ['--keep-within-daily', '2m'], policy: { keepWithinDaily: '2m' } },
  { name: 'keep-within-weekly', args: ['--keep-within-weekly', '6m'], policy: { keepWithinWeekly: '6m' } },
  { name: 'keep-within-monthly', args: ['--keep-within-monthly', '2y'], policy: { keepWithinMonthly: '2y' } },
  { name: 'keep-within-yearly', args: ['--keep-within-yearly', '10y'], policy: { keepWithinYearly: '10y' } },
  { name: 'keep-tag', args: ['--keep-tag', 'nightly'], policy: { keepTags: ['nightly'] } },
  { name: 'keep-tag with two tags', args: ['--keep-tag', 'db, weekly'], policy: { keepTags: ['db, weekly'] } },
  { name: "keep-tag '' (untagged) and another list", args: ['--keep-tag', '', '--keep-tag', 'manual'], policy: { keepTags: ['', 'manual'] } },
  {
    name: 'keep-last 14 and keep-within 30d',
    args: ['--keep-last', '14', '--keep-within', '30d'],
    policy: { keepLast: 14, keepWithin: '30d' },
  },
  {
    name: 'daily, weekly, monthly and yearly together',
    args: ['--keep-daily', '7', '--keep-weekly', '5', '--keep-monthly', '12', '--keep-yearly', '10'],
    policy: { keepDaily: 7, keepWeekly: 5, keepMonthly: 12, keepYearly: 10 },
  },
  {
    name: 'every kind of rule at once',
    args: ['--keep-last', '2', '--keep-hourly', '3', '--keep-within', '10d', '--keep-within-daily', '1m', '--keep-tag', 'db', '--keep-yearly', '1'],
    policy: { keepLast: 2, keepHourly: 3, keepWithin: '10d', keepWithinDaily: '1m', keepTags: ['db'], keepYearly: 1 },
  },
  { name: 'counts larger than the history', args: ['--keep-last', '10000', '--keep-daily', '5000'], policy: { keepLast: 10000, keepDaily: 5000 } },
  { name: "group-by '' (one group)", args: ['--keep-daily', '10'], policy: { keepDaily: 10 }, groupBy: '' },
  { name: 'group-by host', args: ['--keep-weekly', '5'], policy: { keepWeekly: 5 }, groupBy: 'host' },
  { name: 'group-by paths', args: ['--keep-last', '3'], policy: { keepLast: 3 }, groupBy: 'paths' },
  { name: 'group-by tags', args: ['--keep-monthly', '3', '--keep-tag', 'nightly'], policy: { keepMonthly: 3, keepTags: ['nightly'] }, groupBy: 'tags' },
  { name: 'group-by host,tags', args: ['--keep-daily', '5'], policy: { keepDaily: 5 }, groupBy: 'host,tags' },
  {
    name: 'group-by host,paths,tags',
    args: ['--keep-last', '2', '--keep-within', '10d'],
    policy: { keepLast: 2, keepWithin: '10d' },
    groupBy: 'host,paths,tags',
  },
  { name: 'group-by with aliases hosts,path,tag', args: ['--keep-yearly', '1'], policy: { keepYearly: 1 }, groupBy: 'hosts,path,tag' },
  {
    name: 'TZ=Asia/Kolkata (+05:30 snapshots become Local), one group',
    args: ['--keep-daily', '10', '--keep-within', '3m'],
    policy: { keepDaily: 10, keepWithin: '3m' },
    groupBy: '',
    tz: 'Asia/Kolkata',
  },
  {
    name: 'TZ=Europe/Berlin (keep-within across daylight saving)',
    args: ['--keep-within', '3m', '--keep-weekly', '4'],
    policy: { keepWithin: '3m', keepWeekly: 4 },
    tz: 'Europe/Berlin',
  },
  {
    name: 'TZ=Europe/Berlin, keep-within 30d into a gap and an overlap',
    args: ['--keep-within', '30d'],
    policy: { keepWithin: '30d' },
    tz: 'Europe/Berlin',
  },
  {
    name: 'TZ=America/New_York',
    args: ['--keep-within', '3m', '--keep-within-daily', '3m'],
    policy: { keepWithin: '3m', keepWithinDaily: '3m' },
    tz: 'America/New_York',
  },
];

type AnySnapshotJson = Record<string, unknown> & { id?: string; short_id?: string; time: string };

describe('forget decisions equal restic 0.14 forget --dry-run --json', () => {
  let dir: string;
  let repo: SnapshotRepository;
  let entries: RetentionEntry[];
  /** Ids of snapshots that share their instant with another: restic orders those at random. */
  const tied = new Set<string>();
  /** Ids of the odd snapshots by "host time". */
  const odd = new Map<string, string>();

  beforeAll(async () => {
    dir = await makeTempDir('forget-golden');
    repo = await createSnapshotRepository(dir);
    const generated = generateHistory(20_240_229, 480, Date.UTC(2021, 0, 1), Date.UTC(2026, 5, 30));
    entries = await writeSnapshots(repo, [...generated, ...ODD]);
    const byInstant = new Map<bigint, string[]>();
    for (const e of entries) byInstant.set(e.snapshot.time, [...(byInstant.get(e.snapshot.time) ?? []), e.id]);
    for (const ids of byInstant.values()) if (ids.length > 1) for (const id of ids) tied.add(id);
    entries.slice(generated.length).forEach((e, i) => odd.set(`${ODD[i]!.hostname} ${ODD[i]!.time}`, e.id));
  });
  afterAll(() => removeDir(dir));

  /** Both documents with tied snapshots' ids blanked (they are otherwise identical) and groups in key order. */
  function canonical(groups: ForgetGroupJson[]): ForgetGroupJson[] {
    const blank = (s: Record<string, unknown>) => {
      const j = s as AnySnapshotJson;
      return j.id !== undefined && tied.has(j.id) ? { ...j, id: 'tied', short_id: 'tied' } : j;
    };
    return groups
      .map((g) => ({
        ...g,
        keep: g.keep?.map(blank) ?? null,
        remove: g.remove?.map(blank) ?? null,
      }))
      .sort((a, b) => (JSON.stringify([a.host, a.paths, a.tags]) < JSON.stringify([b.host, b.paths, b.tags]) ? -1 : 1));
  }

  type Outcome = { theirs: ForgetGroupJson[]; keptIds: Set<string>; removedIds: Set<string> };
  const outcomes = new Map<Case, Promise<Outcome>>();
  /** Runs a case once (later tests look at the same outcome again). */
  function compare(c: Case): Promise<Outcome> {
    let outcome = outcomes.get(c);
    if (outcome === undefined) {
      outcome = compareOnce(c);
      outcomes.set(c, outcome);
    }
    return outcome;
  }

  async function compareOnce(c: Case): Promise<Outcome> {
    const tz = c.tz ?? 'UTC';
    const groupArgs = c.groupBy === undefined ? [] : ['--group-by', c.groupBy];
    const r = await runRestic(['forget', '--dry-run', '--no-lock', '--json', ...c.args, ...groupArgs], { ...repo.resticOptions, env: { TZ: tz } });
    expect(r.code, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as ForgetGroupJson[];
    const plan = planForget(entries, parsePolicy(c.policy), { groupBy: c.groupBy, nowMs: Date.now(), localTimeZone: tz });
    const ours = forgetJson(plan);
    expect(canonical(ours)).toEqual(canonical(theirs));

    // The comparison saw every snapshot exactly once.
    const keptIds = new Set(theirs.flatMap((g) => (g.keep ?? []).map((s) => s['id'] as string)));
    const removedIds = new Set(theirs.flatMap((g) => (g.remove ?? []).map((s) => s['id'] as string)));
    expect(keptIds.size + removedIds.size).toBe(entries.length);
    return { theirs, keptIds, removedIds };
  }

  const oddId = (host: string, time: string) => {
    const id = odd.get(`${host} ${time}`);
    if (id === undefined) throw new Error(`no odd snapshot ${host} ${time}`);
    return id;
  };

  it.each(CASES)('$name', async (c) => {
    const { theirs, keptIds, removedIds } = await compare(c);
    expect(theirs.length).toBeGreaterThan(0);
    expect(keptIds.size).toBeGreaterThan(0);
    if (!c.name.startsWith('counts larger')) expect(removedIds.size).toBeGreaterThan(0);
    else expect(removedIds.size).toBe(0);
  });

  it('hits the month-end, leap-day and daylight-saving cut-offs the way Go computes them', async () => {
    // 2024-03-31 minus one month is "February 31", which Go normalises to March 2.
    const month = await compare(CASES.find((c) => c.name === 'keep-within 1m (month end)')!);
    expect(month.keptIds.has(oddId('month-end', '2024-03-02T10:00:00.000000001Z'))).toBe(true);
    expect(month.removedIds.has(oddId('month-end', '2024-03-02T10:00:00Z'))).toBe(true); // not after the cut-off
    expect(month.removedIds.has(oddId('month-end', '2024-03-01T08:00:00.5Z'))).toBe(true);
    expect(month.removedIds.has(oddId('month-end', '2024-02-29T12:00:00.25Z'))).toBe(true);
    const plusDayHours = await compare(CASES.find((c) => c.name === 'keep-within 1m1d2h')!);
    expect(plusDayHours.keptIds.has(oddId('month-end', '2024-03-01T08:00:00.5Z'))).toBe(true);
    expect(plusDayHours.removedIds.has(oddId('month-end', '2024-03-01T07:59:59Z'))).toBe(true);
    // 2024-02-29 minus one year is "2023-02-29": March 1.
    const leap = await compare(CASES.find((c) => c.name === 'keep-within 1y (leap day)')!);
    expect(leap.keptIds.has(oddId('leap', '2023-03-01T08:00:01Z'))).toBe(true);
    expect(leap.removedIds.has(oddId('leap', '2023-03-01T08:00:00Z'))).toBe(true);
    expect(leap.removedIds.has(oddId('leap', '2023-02-28T09:00:00Z'))).toBe(true);
    // In UTC a +01:00 time keeps its fixed offset; in Berlin it is Local, and October is +02:00.
    const utc = await compare(CASES.find((c) => c.name === 'keep-within 3m')!);
    expect(utc.removedIds.has(oddId('dst', '2023-10-15T10:30:00Z'))).toBe(true);
    expect(utc.removedIds.has(oddId('dst-ny', '2023-10-15T16:30:00Z'))).toBe(true);
    const berlin = await compare(CASES.find((c) => c.tz === 'Europe/Berlin')!);
    expect(berlin.keptIds.has(oddId('dst', '2023-10-15T10:30:00Z'))).toBe(true);
    expect(berlin.removedIds.has(oddId('dst', '2023-10-15T09:30:00Z'))).toBe(true);
    const newYork = await compare(CASES.find((c) => c.tz === 'America/New_York')!);
    expect(newYork.keptIds.has(oddId('dst-ny', '2023-10-15T16:30:00Z'))).toBe(true);
    // A cut-off at a wall time that does not exist, or exists twice: 01:30Z in both cases.
    const gaps = await compare(CASES.find((c) => c.name.includes('gap and an overlap'))!);
    for (const host of ['dst-gap', 'dst-overlap']) {
      const day = host === 'dst-gap' ? '2024-03-31' : '2024-10-27';
      expect(gaps.keptIds.has(oddId(host, `${day}T01:30:00.5Z`)), host).toBe(true);
      expect(gaps.removedIds.has(oddId(host, `${day}T01:29:59Z`)), host).toBe(true);
      expect(gaps.removedIds.has(oddId(host, `${day}T00:30:00.5Z`)), host).toBe(true);
    }
  });

  it('buckets a +05:30 snapshot by its own wall clock whatever TZ restic runs in', async () => {
    // 2023-06-02T00:00+05:30 is June 1, 18:30 UTC: a daily of June 2 for restic in every TZ.
    const policy = { keepDaily: 1000 };
    const specDay = oddId('odd', '2023-06-02T00:00:00+05:30');
    for (const tz of ['UTC', 'Asia/Kolkata', 'America/Los_Angeles']) {
      const { theirs } = await compare({ name: tz, args: ['--keep-daily', '1000'], policy, tz });
      const group = theirs.find((g) => g.host === 'odd')!;
      const reason = group.reasons!.find((r) => r.snapshot['time'] === '2023-06-02T00:00:00+05:30');
      expect(reason?.matches, tz).toEqual(['daily snapshot']);
      expect(group.keep!.some((s) => s['id'] === specDay)).toBe(true);
      // June 1 at 00:00Z and June 2 at 00:00+05:30 are both kept: two different days.
      expect(group.keep!.some((s) => s['time'] === '2023-06-01T00:00:00Z')).toBe(true);
    }
  });

  it('refuses an empty policy, where restic removes nothing', async () => {
    const r = await runRestic(['forget', '--dry-run', '--no-lock', '--json'], repo.resticOptions);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('');
    expect(() => parsePolicy({})).toThrow(/forget never removes every snapshot by accident/);
    expect(() => parsePolicy({ keepLast: 0, keepWithin: '0d' })).toThrow(/policy is empty/);
    const after = JSON.parse((await runRestic(['snapshots', '--json'], repo.resticOptions)).stdout) as unknown[];
    expect(after.length).toBe(entries.length);
  });

  it("describes the policy in restic's words", async () => {
    const args = ['--keep-last', '3', '--keep-daily', '7', '--keep-within-daily', '1m', '--keep-within-weekly', '2y'];
    args.push('--keep-tag', 'a, b', '--keep-tag', 'c', '--keep-within', '1y2d');
    const r = await runRestic(['forget', '--dry-run', '--no-lock', ...args], repo.resticOptions);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('Applying Policy: '));
    const policy = parsePolicy({
      keepLast: 3,
      keepDaily: 7,
      keepWithinDaily: '1m',
      keepWithinWeekly: '2y',
      keepTags: ['a, b', 'c'],
      keepWithin: '1y2d',
    });
    expect(line).toBe(`Applying Policy: ${describePolicy(policy)}`);
  });

  it('refuses a group-by with spaces, as restic does', async () => {
    const r = await runRestic(['forget', '--dry-run', '--no-lock', '--json', '--keep-last', '1', '--group-by', 'host, paths'], repo.resticOptions);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown grouping option: ' paths'");
    expect(() => planForget(entries, parsePolicy({ keepLast: 1 }), { groupBy: 'host, paths' })).toThrow(/unknown grouping option ' paths'/);
  });

  it('writes every odd time exactly as given, and restic reads the same instants', () => {
    for (const spec of ODD) {
      const e = entries.find((x) => x.id === oddId(spec.hostname, spec.time))!;
      expect(e.snapshot.time).toBe(parseTime(spec.time));
    }
    expect(tied.size).toBe(5);
  });
});
