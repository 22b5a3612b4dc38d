/**
 * A retention policy: restic 0.14's `forget --keep-*` rules. A snapshot is kept when any
 * rule keeps it; everything else in its group is removed.
 */
import { invalidInput } from '../errors.ts';
import {
  checkRetentionDuration,
  formatRetentionDuration,
  isZeroDuration,
  parseRetentionDuration,
  type RetentionDuration,
} from './calendar-duration.ts';

export interface RetentionPolicy {
  /** Keep the newest n snapshots. */
  keepLast?: number;
  /** Keep the newest snapshot of each of the last n hours that have one. */
  keepHourly?: number;
  keepDaily?: number;
  /** ISO weeks (Monday to Sunday). */
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** Keep every snapshot newer than the group's newest snapshot minus this. */
  keepWithin?: RetentionDuration;
  /** Keep the newest snapshot of each hour within this duration of the group's newest. */
  keepWithinHourly?: RetentionDuration;
  keepWithinDaily?: RetentionDuration;
  keepWithinWeekly?: RetentionDuration;
  keepWithinMonthly?: RetentionDuration;
  keepWithinYearly?: RetentionDuration;
  /**
   * Keep every snapshot that has all tags of at least one of these lists. The tag `''`
   * matches a snapshot without tags (restic's `--keep-tag ''`).
   */
  keepTags?: readonly (readonly string[])[];
}

/** What users write: counts as numbers or decimal text, durations as restic text, tag lists as `a,b` or arrays. */
export interface RetentionPolicyInput {
  keepLast?: number | string;
  keepHourly?: number | string;
  keepDaily?: number | string;
  keepWeekly?: number | string;
  keepMonthly?: number | string;
  keepYearly?: number | string;
  keepWithin?: string | RetentionDuration;
  keepWithinHourly?: string | RetentionDuration;
  keepWithinDaily?: string | RetentionDuration;
  keepWithinWeekly?: string | RetentionDuration;
  keepWithinMonthly?: string | RetentionDuration;
  keepWithinYearly?: string | RetentionDuration;
  /** One entry per `--keep-tag`: `'daily,db'` (comma-separated, spaces trimmed, as restic) or `['daily', 'db']`. */
  keepTags?: readonly (string | readonly string[])[];
}

export const COUNT_RULES = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
export const WITHIN_RULES = [
  'keepWithin',
  'keepWithinHourly',
  'keepWithinDaily',
  'keepWithinWeekly',
  'keepWithinMonthly',
  'keepWithinYearly',
] as const;
export type PolicyRule = (typeof COUNT_RULES)[number] | (typeof WITHIN_RULES)[number] | 'keepTags';

/** The user-facing (flag and input) name of a rule: keepWithinDaily → keep-within-daily. */
export function ruleName(rule: PolicyRule): string {
  return rule === 'keepTags' ? 'keep-tag' : rule.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Reads one `--keep-tag` value as restic does: split at commas, whitespace trimmed. */
export function splitTagList(text: string): string[] {
  return text.split(',').map((t) => t.trim());
}

function parseCount(value: number | string, name: string): number {
  const n = typeof value === 'string' ? (/^\s*\d+\s*$/.test(value) ? Number(value) : NaN) : value;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw invalidInput(`${name} must be a whole number of snapshots (0 or more), got '${value}'`);
  }
  return n;
}

/**
 * How a shell names the policy's settings in errors, so that each error names what to
 * change there: an action input or a CLI flag. Without it, errors use the bare rule names.
 */
export interface PolicySettingNames {
  /** One rule's setting as errors name it: `input 'keep-last'`, `--keep-last`. */
  rule(rule: PolicyRule): string;
  /** The settings that make a policy, for the error about an empty one: `the inputs keep-last, ...`. */
  all: string;
}

const RULE_NAMES: PolicySettingNames = {
  rule: ruleName,
  all:
    'keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, keep-yearly (a count above 0), keep-within, ' +
    'keep-within-hourly/-daily/-weekly/-monthly/-yearly (a duration such as 30d or 1y6m) or keep-tag',
};

/**
 * Validates and normalises a policy. Refuses negative or fractional counts, malformed
 * durations, empty tag lists and, above all, an empty policy: restic would keep
 * everything, but a forget without rules is always a mistake in a workflow, and the rule
 * here is that forget never removes every snapshot by accident, nor silently does nothing.
 */
export function parsePolicy(input: RetentionPolicyInput, names: PolicySettingNames = RULE_NAMES): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const rule of COUNT_RULES) {
    const value = input[rule];
    if (value === undefined || value === '') continue;
    const n = parseCount(value, names.rule(rule));
    if (n > 0) policy[rule] = n;
  }
  for (const rule of WITHIN_RULES) {
    const value = input[rule];
    if (value === undefined) continue;
    const d = typeof value === 'string' ? parseRetentionDuration(value, names.rule(rule)) : checkRetentionDuration(value, names.rule(rule));
    if (!isZeroDuration(d)) policy[rule] = d;
  }
  if (input.keepTags !== undefined && input.keepTags.length > 0) {
    policy.keepTags = input.keepTags.map((list) => {
      const tags = typeof list === 'string' ? splitTagList(list) : [...list];
      if (tags.length === 0) throw invalidInput(`${names.rule('keepTags')}: a tag list needs at least one tag (use '' for "snapshots without tags")`);
      return tags;
    });
  }
  assertUsablePolicy(policy, names);
  return policy;
}

export function isEmptyPolicy(p: RetentionPolicy): boolean {
  return (
    COUNT_RULES.every((rule) => !p[rule]) &&
    WITHIN_RULES.every((rule) => isZeroDuration(p[rule])) &&
    (p.keepTags === undefined || p.keepTags.length === 0)
  );
}

/**
 * Throws InvalidInput unless the policy has at least one rule and only sane values. Run
 * again by applyPolicy, so a policy built by hand cannot skip it (in restic 0.14 a
 * negative count makes a non-empty policy that keeps nothing).
 */
export function assertUsablePolicy(p: RetentionPolicy, names: PolicySettingNames = RULE_NAMES): void {
  for (const rule of COUNT_RULES) {
    const n = p[rule];
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) {
      throw invalidInput(`${names.rule(rule)} must be a whole number of snapshots (0 or more), got ${n}`);
    }
  }
  for (const rule of WITHIN_RULES) {
    const d = p[rule];
    if (d !== undefined) checkRetentionDuration(d, names.rule(rule));
  }
  for (const list of p.keepTags ?? []) {
    if (list.length === 0) throw invalidInput(`keep-tag: a tag list needs at least one tag (use '' for "snapshots without tags")`);
  }
  if (isEmptyPolicy(p)) {
    throw invalidInput(`the retention policy is empty: set at least one of ${names.all} (forget never removes every snapshot by accident)`);
  }
}

/** restic's sentence for a policy ("keep 14 latest snapshots and all snapshots within 30d of the newest"). */
export function describePolicy(p: RetentionPolicy): string {
  const counts: string[] = [];
  const words = { keepLast: 'latest', keepHourly: 'hourly', keepDaily: 'daily', keepWeekly: 'weekly', keepMonthly: 'monthly', keepYearly: 'yearly' };
  for (const rule of COUNT_RULES) if (p[rule]) counts.push(`${p[rule]} ${words[rule]}`);
  const withins: string[] = [];
  const periods = { keepWithinHourly: 'hourly', keepWithinDaily: 'daily', keepWithinWeekly: 'weekly', keepWithinMonthly: 'monthly', keepWithinYearly: 'yearly' };
  for (const rule of WITHIN_RULES.slice(1) as (keyof typeof periods)[]) {
    const d = p[rule];
    if (!isZeroDuration(d)) withins.push(`${periods[rule]} snapshots within ${formatRetentionDuration(d!)}`);
  }
  let s = counts.length > 0 ? `${counts.join(', ')} snapshots` : '';
  if (withins.length > 0) s += (s ? ', ' : '') + withins.join(', ');
  if (p.keepTags && p.keepTags.length > 0) {
    s += (s ? ' and ' : '') + `all snapshots with tags [${p.keepTags.map(tagListText).join(' ')}]`;
  }
  if (!isZeroDuration(p.keepWithin)) s += (s ? ' and ' : '') + `all snapshots within ${formatRetentionDuration(p.keepWithin!)} of the newest`;
  return 'keep ' + s;
}

/** A tag list as restic prints it in reasons: `[a, b]`. */
export function tagListText(list: readonly string[]): string {
  return '[' + list.join(', ') + ']';
}
