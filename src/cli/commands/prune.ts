import { lockRefreshWarning, parseMaxUnused, parseSize, prune, type PruneResult } from '../../engine/index.ts';
import { pruneProgressLine, pruneReportLines } from '../../report/prune-report.ts';
import { ExitCode } from '../exit-codes.ts';
import { pruneFailpoint } from '../failpoint.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const PRUNE_HELP = `chunkvault prune: delete data that no snapshot uses, as restic prune does

Usage: chunkvault prune -r REPO [--dry-run] [--max-unused 5%] [--max-repack-size SIZE]
                        [--repack-uncompressed] [--json]

Takes an exclusive lock, finds the blobs every snapshot still uses, deletes packs that hold
nothing used, and repacks partly used packs until the unused data left is within
--max-unused. The new index is written before any index file or pack is deleted: stopped
at any point, the repository stays valid and a second prune finishes the job.

Options:
  -n, --dry-run              print the plan, change nothing
  --max-unused LIMIT         unused data to tolerate: a percentage (default 5%), a size
                             (500M, 2G) or 'unlimited' (partly used data packs are kept;
                             tree, mixed and tiny packs are still repacked, as restic does)
  --max-repack-size SIZE     repack at most this much data (e.g. 1G)
  --repack-uncompressed      recompress data stored uncompressed (format v2)

Exit codes: 0 done, 1 failure, 10 no repository, 11 locked, 12 wrong password, 130 interrupted.`;

export interface PruneArgs {
  'dry-run'?: boolean;
  'max-unused'?: string;
  'max-repack-size'?: string;
  'repack-uncompressed'?: boolean;
}

export async function runPrune(g: GlobalOptions, args: PruneArgs, out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  checkPruneLimits(args);
  const onStep = pruneFailpoint(env);
  const repo = await openRepository(g, env, { signal });
  const result = await prune(repo, {
    dryRun: args['dry-run'] === true,
    maxUnused: args['max-unused'],
    maxRepackSize: args['max-repack-size'],
    repackUncompressed: args['repack-uncompressed'] === true,
    lockWaitMs: g.lockWaitMs,
    signal,
    onStep,
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(pruneProgressLine(p)),
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  printPruneResult(result, g, out);
  return ExitCode.Ok;
}

export function printPruneResult(result: PruneResult, g: GlobalOptions, out: Output): void {
  if (g.json) out.result(JSON.stringify(pruneJson(result)));
  else out.result(pruneReportLines(result).join('\n'));
}

/** The result for scripts: the figures, and the packs the plan names. */
export function pruneJson(r: PruneResult): Record<string, unknown> {
  return {
    dry_run: r.dryRun,
    snapshots: r.snapshots,
    packs_deleted: r.packsDeleted,
    packs_repacked: r.packsRepacked,
    packs_written: r.packsWritten,
    index_files_written: r.indexFilesWritten,
    index_files_deleted: r.indexFilesDeleted,
    bytes_freed: r.bytesFreed,
    duration_ms: r.durationMs,
    stats: r.stats,
    plan: {
      remove_unreferenced: r.plan.removeUnreferenced,
      remove: r.plan.removePacks,
      repack: r.plan.repackPacks,
      forget_missing: r.plan.ignorePacks,
    },
  };
}

/** --max-unused and --max-repack-size, checked before the repository is opened so that errors name the flags. */
export function checkPruneLimits(args: { 'max-unused'?: string; 'max-repack-size'?: string }): void {
  if (args['max-unused'] !== undefined) parseMaxUnused(args['max-unused'], '--max-unused');
  if (args['max-repack-size'] !== undefined) parseSize(args['max-repack-size'], '--max-repack-size');
}
