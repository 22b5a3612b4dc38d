/**
 * `chunkvault restore <snapshot|latest> --target DIR`, with restic's flags. Fails (exit 1)
 * when anything could not be restored or, with --verify, when the restored tree does not
 * match the snapshot: a restore with data missing never exits 0.
 */
import { describeProblem, formatBytes, formatCount, formatDuration, invalidInput, lockRefreshWarning, parsePathPatterns, restore, RestoreFailedError, type RestoreResult } from '../../engine/index.ts';
import { restoreProgressLine } from '../../report/restore-progress.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const RESTORE_HELP = `chunkvault restore: restore a snapshot into a directory

Usage: chunkvault restore -r REPO [options] [SNAPSHOT] --target DIR

SNAPSHOT is a snapshot id, a unique prefix of one, or 'latest' (the default), which picks
the newest snapshot that passes --host, --tag and --path. A partial snapshot (its backup
could not read some files) is restored with a warning that says how many are missing.

Options:
  -t, --target DIR       directory to restore into: it must be absent or empty, unless --overwrite
  -i, --include PATTERN  restore only what matches (repeatable); patterns match the absolute
                         paths in the snapshot: '/srv/app/config', 'config', '*.sql', '/srv/**/*.yml'
  --host HOST            'latest' of this host (repeatable)
  --tag TAG              'latest' with these tags (repeatable; "a,b" means both)
  --path PATH            'latest' of a snapshot that includes this path (repeatable)
  --overwrite            replace existing entries in the target (never writing through a symlink);
                         entries the snapshot does not have are left alone
  --verify               read every restored file back and check it against the snapshot

Not restored: device nodes and sockets (with a warning), extended attributes. Owners are
restored when running as root. Times are exact to within 0.12 µs (Node.js sets them as
floating-point seconds).

Exit codes: 0 restored (and verified), 1 failure (data missing or corrupt, target unusable,
verification found differences), 10 no repository, 11 locked, 12 wrong password,
130 interrupted.`;

export interface RestoreArgs {
  target?: string;
  include?: string[];
  host?: string[];
  tag?: string[];
  path?: string[];
  overwrite?: boolean;
  verify?: boolean;
}

export async function runRestore(
  g: GlobalOptions,
  args: RestoreArgs,
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  if (positionals.length > 1) throw invalidInput(`restore takes one snapshot, got ${positionals.length}: ${positionals.join(' ')}`);
  if (!args.target) throw invalidInput('no restore target given: pass --target DIR');
  parsePathPatterns(args.include ?? [], '--include');
  const repo = await openRepository(g, env, { signal });
  let result: RestoreResult;
  try {
    result = await restore(repo, {
    lockWaitMs: g.lockWaitMs,
    noLock: g.noLock,
      snapshot: positionals[0] ?? 'latest',
      filter: { hosts: args.host, tags: args.tag, paths: args.path },
      target: args.target,
      include: args.include ?? [],
      overwrite: args.overwrite === true,
      targetNames: { target: '--target', overwrite: 'pass --overwrite' },
      verify: args.verify === true,
      signal,
      progressIntervalMs: out.progressIntervalMs,
      onProgress: g.json ? undefined : (p) => out.progress(restoreProgressLine(p)),
      onWarning: (w) => out.warn(w),
      onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
    });
  } catch (e) {
    out.done();
    // The failure itself is printed by the caller; --json also gets the partial summary.
    if (g.json && e instanceof RestoreFailedError) out.result(JSON.stringify(summaryJson(e.partial as RestoreResult)));
    throw e;
  }
  out.done();
  const problems = result.verification?.problems ?? [];
  if (g.json) out.result(JSON.stringify(summaryJson(result)));
  else out.result(summaryText(result));
  if (problems.length > 0) {
    for (const p of problems.slice(0, 50)) out.warn(`verify: ${p}`);
    if (problems.length > 50) out.warn(`verify: ... and ${problems.length - 50} more`);
    return ExitCode.Fatal;
  }
  return ExitCode.Ok;
}

function summaryText(r: RestoreResult): string {
  const lines = [
    `restored snapshot ${r.snapshotId.slice(0, 8)} to ${r.target}: ${formatCount(r.filesRestored)} files and links, ` +
      `${formatCount(r.dirsRestored)} dirs, ${formatBytes(r.bytesRestored)} in ${formatDuration(r.durationMs)}`,
  ];
  if (r.warnings.length > 0) lines.push(`${r.warnings.length} warning(s): some entries or attributes were not restored (see above)`);
  const v = r.verification;
  if (v) {
    lines.push(
      v.problems.length === 0
        ? `verified ${formatCount(v.filesVerified)} files and links, ${formatBytes(v.bytesVerified)}: all match the snapshot`
        : `verification FAILED: ${v.problems.length} difference(s); ${formatCount(v.filesVerified)} entries, ${formatBytes(v.bytesVerified)} matched`,
    );
  }
  return lines.join('\n');
}

/** Close to restic 0.17's `restore --json` summary (0.14 has none), plus our extras. */
function summaryJson(r: RestoreResult): Record<string, unknown> {
  return {
    message_type: 'summary',
    snapshot_id: r.snapshotId,
    target: r.target,
    files_restored: r.filesRestored,
    dirs_restored: r.dirsRestored,
    bytes_restored: r.bytesRestored,
    total_duration: r.durationMs / 1000,
    warnings: r.warnings,
    snapshot_read_errors: r.snapshotReadErrors,
    ...(r.errors ? { error_count: r.errors.length, errors: r.errors.map(describeProblem) } : { error_count: 0 }),
    ...(r.verification
      ? {
          verify: {
            files_verified: r.verification.filesVerified,
            bytes_verified: r.verification.bytesVerified,
            problems: r.verification.problems,
          },
        }
      : {}),
  };
}
