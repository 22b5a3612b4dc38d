import { formatCount, lockRefreshWarning, parseStatsMode, stats, STATS_MODES } from '../../engine/index.ts';
import { statsJson, statsLines } from '../../report/stats-report.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const STATS_HELP = `chunkvault stats: add up the sizes in snapshots, as restic stats does

Usage: chunkvault stats -r REPO [--mode MODE] [--host H] [--tag T] [--path P] [--json] [SNAPSHOT...]

Counts the snapshots given (full ids, unique prefixes, 'latest'), or every snapshot that
passes --host, --tag and --path. Modes (restic's):
  restore-size       (default) what a restore writes: every file, directory and link,
                     hard links once
  files-by-contents  files unique by their contents, across the snapshots
  blobs-per-file     the data blobs of each file (unique by contents and path)
  raw-data           the blobs stored in the repository for these snapshots, once each,
                     as stored (compressed and encrypted)

Options:
  --mode MODE   ${STATS_MODES.join(', ')}`;

export async function runStats(
  g: GlobalOptions,
  args: { mode?: string; host?: string[]; tag?: string[]; path?: string[] },
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const mode = parseStatsMode(args.mode ?? 'restore-size', '--mode');
  const repo = await openRepository(g, env, { signal });
  if (!g.json) out.result('scanning...');
  const result = await stats(repo, {
    mode,
    snapshots: positionals,
    filter: { hosts: args.host, tags: args.tag, paths: args.path },
    lockWaitMs: g.lockWaitMs,
    noLock: g.noLock,
    signal,
    onWarning: (message) => out.warn(message),
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json
      ? undefined
      : (p) => out.progress(`[stats] ${formatCount(p.snapshotsDone)}/${formatCount(p.snapshotsTotal)} snapshots, ${formatCount(p.treesLoaded)} trees read`),
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  if (g.json) out.result(statsJson(result));
  else for (const line of statsLines(result)) out.result(line);
  return ExitCode.Ok;
}
