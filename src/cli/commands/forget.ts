import { DEFAULT_GROUP_BY, forget, forgetJson, lockRefreshWarning, parseGroupBy, parsePolicy, ruleName, type PolicySettingNames, type RetentionPolicy } from '../../engine/index.ts';
import { forgetReportLines } from '../../report/forget-report.ts';
import { pruneProgressLine, pruneReportLines } from '../../report/prune-report.ts';
import { ExitCode } from '../exit-codes.ts';
import { pruneFailpoint } from '../failpoint.ts';
import { checkPruneLimits } from './prune.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const FORGET_HELP = `chunkvault forget: remove snapshots by a retention policy, as restic forget does

Usage: chunkvault forget -r REPO [policy] [--group-by host,paths] [--host H] [--tag T] [--path P]
                         [--dry-run] [--prune [--max-unused 5%] [--max-repack-size SIZE]] [--json]
       chunkvault forget -r REPO ID... [--dry-run] [--prune ...]

With snapshot IDs (full ids, unique prefixes, or 'latest' = the newest that passes
--host/--tag/--path), exactly those are removed, as restic 0.14 does: no policy or grouping
is applied, and an ID that finds no snapshot is skipped with a warning.

A snapshot is kept when any rule keeps it; the others in its group are removed. Groups are
made by --group-by (host, paths, tags, a comma list, or '' for one group; default
host,paths). Only snapshot files are deleted; --prune then deletes the data no snapshot uses.

Policy (at least one is required):
  --keep-last N              the newest N snapshots
  --keep-hourly N            the newest snapshot of each of the last N hours that have one
  --keep-daily N             ... days
  --keep-weekly N            ... ISO weeks
  --keep-monthly N           ... months
  --keep-yearly N            ... years
  --keep-within D            every snapshot within D (e.g. 30d, 1y6m, 17d12h) of the newest
  --keep-within-hourly D     the newest of each hour within D (also -daily, -weekly, -monthly, -yearly)
  --keep-tag T[,T...]        every snapshot with all these tags (repeatable; '' = no tags)

Options:
  -n, --dry-run              show the decisions, change nothing
  --prune                    prune afterwards, under the same lock
  --json                     restic's forget --json output`;

export interface ForgetArgs {
  'keep-last'?: string;
  'keep-hourly'?: string;
  'keep-daily'?: string;
  'keep-weekly'?: string;
  'keep-monthly'?: string;
  'keep-yearly'?: string;
  'keep-within'?: string;
  'keep-within-hourly'?: string;
  'keep-within-daily'?: string;
  'keep-within-weekly'?: string;
  'keep-within-monthly'?: string;
  'keep-within-yearly'?: string;
  'keep-tag'?: string[];
  'group-by'?: string;
  host?: string[];
  tag?: string[];
  path?: string[];
  'dry-run'?: boolean;
  prune?: boolean;
  'max-unused'?: string;
  'max-repack-size'?: string;
}

export async function runForget(g: GlobalOptions, args: ForgetArgs, positionals: string[], out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const byId = positionals.length > 0;
  const policyFlags = Object.keys(args).filter((k) => k.startsWith('keep-') && args[k as keyof ForgetArgs] !== undefined);
  if (byId && policyFlags.length > 0) out.warn(`ignoring --${policyFlags.join(', --')}: snapshot ids were given, and those are removed`);
  // Named snapshots need no policy (an empty one, never applied).
  const policy: RetentionPolicy = byId ? {} : parsePolicy({
    keepLast: args['keep-last'],
    keepHourly: args['keep-hourly'],
    keepDaily: args['keep-daily'],
    keepWeekly: args['keep-weekly'],
    keepMonthly: args['keep-monthly'],
    keepYearly: args['keep-yearly'],
    keepWithin: args['keep-within'],
    keepWithinHourly: args['keep-within-hourly'],
    keepWithinDaily: args['keep-within-daily'],
    keepWithinWeekly: args['keep-within-weekly'],
    keepWithinMonthly: args['keep-within-monthly'],
    keepWithinYearly: args['keep-within-yearly'],
    keepTags: args['keep-tag'],
  }, POLICY_FLAG_NAMES);
  const groupBy = parseGroupBy(args['group-by'] ?? DEFAULT_GROUP_BY, '--group-by');
  if (args.prune) checkPruneLimits(args);
  const onStep = pruneFailpoint(env);
  const repo = await openRepository(g, env, { signal });
  const result = await forget(repo, {
    policy,
    ids: positionals,
    onWarning: (w) => out.warn(w),
    groupBy,
    filter: { hosts: args.host, tags: args.tag, paths: args.path },
    dryRun: args['dry-run'] === true,
    prune: args.prune
      ? {
          maxUnused: args['max-unused'],
          maxRepackSize: args['max-repack-size'],
          onStep,
          progressIntervalMs: out.progressIntervalMs,
          onProgress: g.json ? undefined : (p) => out.progress(pruneProgressLine(p)),
        }
      : undefined,
    lockWaitMs: g.lockWaitMs,
    signal,
    localTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  if (g.json) {
    // As restic 0.14: a forget of named snapshots prints no JSON.
    if (!result.byId) out.result(JSON.stringify(forgetJson(result.plan)));
    if (result.prune) out.info(pruneReportLines(result.prune).join('\n'));
  } else {
    out.result(forgetReportLines(result).join('\n'));
    if (result.prune) out.result(['', 'prune:', ...pruneReportLines(result.prune)].join('\n'));
  }
  return ExitCode.Ok;
}

/** Policy errors name the flags to change. */
const POLICY_FLAG_NAMES: PolicySettingNames = {
  rule: (rule) => `--${ruleName(rule)}`,
  all:
    '--keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly (a count above 0), --keep-within, ' +
    '--keep-within-hourly/-daily/-weekly/-monthly/-yearly (a duration such as 30d or 1y6m) or --keep-tag',
};
