/**
 * Applying a retention policy, decision for decision as restic 0.14's `forget`: newest
 * first; each count rule keeps the newest snapshot of each of its first n buckets (hour,
 * day, ISO week, month, year of the snapshot's own wall clock; every snapshot is its own
 * bucket for keep-last); keep-within keeps everything newer than the group's newest
 * snapshot (not now) minus the duration; keep-within-<period> keeps the newest of each
 * period inside its duration; keep-tag keeps every snapshot with all tags of a list.
 */
import { GO_ZERO_TIME_NS } from '../format/index.ts';
import { formatRetentionDuration, isZeroDuration, type RetentionDuration } from './calendar-duration.ts';
import type { RetentionEntry } from './entry.ts';
import { groupSnapshots, parseGroupBy, type GroupBy, type GroupKey } from './group.ts';
import { assertUsablePolicy, tagListText, type RetentionPolicy } from './policy.ts';
import { isoWeekOf, subtractDuration, wallClock, zonedTime, type ZonedTime } from './wall-clock.ts';

export interface ApplyPolicyOptions {
  /**
   * The current time in ms. The newest snapshot that keep-within counts from is the
   * newest one before now: future-dated snapshots (a wrong clock) do not move the cut-off.
   * @default Date.now()
   */
  nowMs?: number;
  /**
   * The IANA zone restic would run in (its TZ). Only matters for keep-within rules when
   * the newest snapshot's offset equals this zone's offset at that time and the zone
   * changes offset (daylight saving) inside the duration: Go then computes the cut-off in
   * that zone, an hour away from the fixed-offset answer. The CLI passes
   * `Intl.DateTimeFormat().resolvedOptions().timeZone`.
   * @default undefined (UTC, as on GitHub's runners)
   */
  localTimeZone?: string;
}

/** How many snapshots each count rule may still keep, after a snapshot was decided. */
export interface RetentionCounters {
  last: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
}

export interface KeepReason {
  readonly entry: RetentionEntry;
  /** restic's words, in its order: `has tags [a, b]`, `within 30d`, `last snapshot`, `daily snapshot`, `daily within 7d` ... */
  readonly matches: string[];
  /** The counters after this snapshot. */
  readonly counters: RetentionCounters;
}

export interface PolicyResult {
  /** Newest first. */
  readonly keep: RetentionEntry[];
  /** Newest first. */
  readonly remove: RetentionEntry[];
  /** One per kept snapshot, in the order of `keep`. */
  readonly reasons: KeepReason[];
}

export interface ForgetGroup extends PolicyResult {
  readonly key: GroupKey;
  readonly keyJson: string;
}

export interface ForgetPlan {
  readonly groupBy: GroupBy;
  readonly policy: RetentionPolicy;
  /** Sorted by key text. */
  readonly groups: ForgetGroup[];
}

type Bucketer = (t: ZonedTime, index: number) => number;

// restic's bucket numbers: YYYYMMDDHH, YYYYMMDD, YYYYWW (ISO), YYYYMM, YYYY.
const BY_HOUR: Bucketer = (t) => {
  const w = wallClock(t);
  return w.year * 1_000_000 + w.month * 10_000 + w.day * 100 + w.hour;
};
const BY_DAY: Bucketer = (t) => {
  const w = wallClock(t);
  return w.year * 10_000 + w.month * 100 + w.day;
};
const BY_WEEK: Bucketer = (t) => {
  const { year, week } = isoWeekOf(t);
  return year * 100 + week;
};
const BY_MONTH: Bucketer = (t) => {
  const w = wallClock(t);
  return w.year * 100 + w.month;
};
const BY_YEAR: Bucketer = (t) => wallClock(t).year;
const EACH: Bucketer = (_t, index) => index;

const COUNT_BUCKETS = [
  ['keepLast', 'last', EACH, 'last snapshot'],
  ['keepHourly', 'hourly', BY_HOUR, 'hourly snapshot'],
  ['keepDaily', 'daily', BY_DAY, 'daily snapshot'],
  ['keepWeekly', 'weekly', BY_WEEK, 'weekly snapshot'],
  ['keepMonthly', 'monthly', BY_MONTH, 'monthly snapshot'],
  ['keepYearly', 'yearly', BY_YEAR, 'yearly snapshot'],
] as const;

const WITHIN_BUCKETS = [
  ['keepWithinHourly', BY_HOUR, 'hourly within'],
  ['keepWithinDaily', BY_DAY, 'daily within'],
  ['keepWithinWeekly', BY_WEEK, 'weekly within'],
  ['keepWithinMonthly', BY_MONTH, 'monthly within'],
  ['keepWithinYearly', BY_YEAR, 'yearly within'],
] as const;

/** restic's HasTags: every tag of the list is on the snapshot; '' matches a snapshot without tags. */
export function hasTags(entry: RetentionEntry, list: readonly string[]): boolean {
  const tags = entry.snapshot.tags ?? [];
  for (const tag of list) {
    if (tag === '' && tags.length === 0) return true;
    if (!tags.includes(tag)) return false;
  }
  return true;
}

/** The newest snapshot time before now, in its zone; Go's zero time (year 1, UTC) when there is none. */
function newestBefore(list: readonly { entry: RetentionEntry; time: ZonedTime }[], nowNs: bigint): ZonedTime {
  let latest: ZonedTime = { ns: GO_ZERO_TIME_NS, offsetSeconds: 0 };
  for (const { time } of list) {
    if (time.ns > latest.ns && time.ns < nowNs) latest = time;
  }
  return latest;
}

/**
 * Decides one group (or a whole list, without grouping). Snapshots with the same time
 * keep their input order (restic's order for them is whatever order it loaded them in).
 * Throws InvalidInput for an empty or malformed policy.
 */
export function applyPolicy(entries: readonly RetentionEntry[], policy: RetentionPolicy, opts: ApplyPolicyOptions = {}): PolicyResult {
  assertUsablePolicy(policy);
  const nowNs = BigInt(Math.floor(opts.nowMs ?? Date.now())) * 1_000_000n;
  const list = entries
    .map((entry) => ({ entry, time: zonedTime(entry.snapshot.time, entry.recordedOffsetSeconds, opts.localTimeZone) }))
    .sort((a, b) => (a.time.ns > b.time.ns ? -1 : a.time.ns < b.time.ns ? 1 : 0)); // stable
  const keep: RetentionEntry[] = [];
  const remove: RetentionEntry[] = [];
  const reasons: KeepReason[] = [];
  if (list.length === 0) return { keep, remove, reasons };

  const latest = newestBefore(list, nowNs);
  const cutoff = (d: RetentionDuration) => subtractDuration(latest, d);
  const within = isZeroDuration(policy.keepWithin) ? undefined : { cutoffNs: cutoff(policy.keepWithin!), text: formatRetentionDuration(policy.keepWithin!) };
  const counts = COUNT_BUCKETS.map(([rule, counter, bucketer, reason]) => ({ left: policy[rule] ?? 0, counter, bucketer, reason, last: -1 }));
  const withinBuckets = WITHIN_BUCKETS.filter(([rule]) => !isZeroDuration(policy[rule])).map(([rule, bucketer, reason]) => ({
    cutoffNs: cutoff(policy[rule]!),
    bucketer,
    reason: `${reason} ${formatRetentionDuration(policy[rule]!)}`,
    last: -1,
  }));

  list.forEach(({ entry, time }, index) => {
    const matches: string[] = [];
    for (const tags of policy.keepTags ?? []) {
      if (hasTags(entry, tags)) matches.push(`has tags ${tagListText(tags)}`);
    }
    if (within !== undefined && time.ns > within.cutoffNs) matches.push(`within ${within.text}`);
    for (const b of counts) {
      if (b.left <= 0) continue;
      const bucket = b.bucketer(time, index);
      if (bucket !== b.last) {
        b.last = bucket;
        b.left--;
        matches.push(b.reason);
      }
    }
    for (const b of withinBuckets) {
      if (time.ns <= b.cutoffNs) continue;
      const bucket = b.bucketer(time, index);
      if (bucket !== b.last) {
        b.last = bucket;
        matches.push(b.reason);
      }
    }
    if (matches.length === 0) {
      remove.push(entry);
      return;
    }
    keep.push(entry);
    const counters = Object.fromEntries(counts.map((b) => [b.counter, b.left])) as unknown as RetentionCounters;
    reasons.push({ entry, matches, counters });
  });
  return { keep, remove, reasons };
}

export interface PlanForgetOptions extends ApplyPolicyOptions {
  /** restic's `--group-by` text or a parsed choice. @default 'host,paths' */
  groupBy?: string | GroupBy;
}

/** Groups the snapshots and decides each group: what `restic forget --dry-run` would do. */
export function planForget(entries: readonly RetentionEntry[], policy: RetentionPolicy, opts: PlanForgetOptions = {}): ForgetPlan {
  assertUsablePolicy(policy);
  const groupBy = typeof opts.groupBy === 'object' ? opts.groupBy : parseGroupBy(opts.groupBy);
  const groups = groupSnapshots(entries, groupBy).map((g) => ({ key: g.key, keyJson: g.keyJson, ...applyPolicy(g.entries, policy, opts) }));
  return { groupBy, policy, groups };
}
