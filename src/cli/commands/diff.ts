import { diff, formatCount, invalidInput, lockRefreshWarning, shortId } from '../../engine/index.ts';
import { diffChangeJson, diffChangeLine, diffStatisticsJson, diffStatisticsLines } from '../../report/diff-report.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const DIFF_HELP = `chunkvault diff: show what changed from one snapshot to another, as restic diff does

Usage: chunkvault diff -r REPO [--metadata] [--json] SNAPSHOT1 SNAPSHOT2

Each snapshot is a full id, a unique prefix of one, or 'latest'. Each line starts with
what happened to the path:
  +  added                 -  removed
  M  content modified      T  type changed (e.g. a file became a symlink)
  U  metadata changed (mode, times, owner...): only with --metadata
A count of the files, directories and blobs added and removed follows. With --json, one
JSON object per change and a closing "statistics" object, as restic writes them; with -q,
only the counts.

Options:
  --metadata   also list entries whose metadata changed`;

export async function runDiff(
  g: GlobalOptions,
  args: { metadata?: boolean },
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  if (positionals.length !== 2) throw invalidInput(`diff compares two snapshots: give SNAPSHOT1 SNAPSHOT2 (ids, prefixes or 'latest'), not ${positionals.length}`);
  const [fromRef, toRef] = positionals as [string, string];
  const repo = await openRepository(g, env, { signal });
  const result = await diff(repo, fromRef, toRef, {
    metadata: args.metadata === true,
    lockWaitMs: g.lockWaitMs,
    noLock: g.noLock,
    signal,
    onSnapshots: (from, to) => {
      if (!g.json && !g.quiet) out.result(`comparing snapshot ${shortId(from.id)} to ${shortId(to.id)}:\n`);
    },
    // restic's -q leaves out the changes, in text and in JSON alike.
    onChange: g.quiet ? undefined : (c) => out.result(g.json ? diffChangeJson(c) : diffChangeLine(c)),
    onWarning: (message) => out.warn(message),
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(`[diff] ${formatCount(p.treesLoaded)} trees read, ${formatCount(p.changes)} changes`),
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  if (g.json) out.result(diffStatisticsJson(result, fromRef, toRef));
  else for (const line of diffStatisticsLines(result)) out.result(line);
  return ExitCode.Ok;
}
