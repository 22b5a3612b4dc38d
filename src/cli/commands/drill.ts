import * as os from 'node:os';
import { drill, formatBytes, formatDuration, parseDuration, type DrillReport } from '../../engine/index.ts';
import { commandEnvironment, runShell } from '../../process/run-shell.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const DRILL_HELP = `chunkvault drill: prove that a snapshot restores, and measure how long recovery takes

Usage: chunkvault drill -r REPO [SNAPSHOT] [options]

Chooses the snapshot (default 'latest', with --host/--tag/--path; a partial one, written by
a backup that could not read some files, is drilled with a warning), restores it into a fresh scratch directory, reads every file back
against the snapshot, runs --command with CHUNKVAULT_RESTORE_DIR set to the restored tree,
measures the recovery time (restore + verify + command) against --max-rto, removes the
scratch directory (unless --keep-restore), and fails when the snapshot is older than
--max-snapshot-age (after measuring its recovery all the same).

Options:
  --max-snapshot-age D  fail when the snapshot is older than D (e.g. 26h)
  --max-rto D           fail when recovery takes longer than D (e.g. 15m)
  --command CMD         a shell command that proves the restored data usable; its exit code counts
  --scratch DIR         where the scratch directory is made (default: the system temp directory)
  --keep-restore        keep the restored tree
  --include PATTERN     drill only part of the snapshot (repeatable)
  --host H, --tag T, --path P   filters for 'latest'

Exit codes: 0 passed, 1 failed (the failing step is named), 10 no repository,
12 wrong password, 130 interrupted.`;

export interface DrillArgs {
  'max-snapshot-age'?: string;
  'max-rto'?: string;
  command?: string;
  scratch?: string;
  'keep-restore'?: boolean;
  include?: string[];
  host?: string[];
  tag?: string[];
  path?: string[];
}

export async function runDrill(
  g: GlobalOptions,
  args: DrillArgs,
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const maxSnapshotAgeMs = args['max-snapshot-age'] ? parseDuration(args['max-snapshot-age'], '--max-snapshot-age') : undefined;
  const maxRtoMs = args['max-rto'] ? parseDuration(args['max-rto'], '--max-rto') : undefined;
  const startedAt = Date.now(); // opening the repository is part of the recovery time
  const repo = await openRepository(g, env, { signal });
  const command = args.command;
  const report = await drill(repo, {
    lockWaitMs: g.lockWaitMs,
    noLock: g.noLock,
    startedAt,
    snapshot: positionals[0] ?? 'latest',
    filter: { hosts: args.host, tags: args.tag, paths: args.path },
    include: args.include,
    maxSnapshotAgeMs,
    maxRtoMs,
    scratchParent: args.scratch ?? os.tmpdir(),
    keepRestore: args['keep-restore'] === true,
    commandLabel: command,
    runCommand: command
      ? (dir, sig) => runShell(command, { env: commandEnvironment(env, { CHUNKVAULT_RESTORE_DIR: dir }), signal: sig, onLine: (l) => out.info(`  | ${l}`) })
      : undefined,
    signal,
    onStep: g.json ? undefined : (s) => out.info(`${s.status === 'passed' ? 'ok  ' : s.status === 'failed' ? 'FAIL' : 'skip'} ${s.title}: ${s.detail}`),
    onWarning: (m) => out.warn(m),
  });
  if (g.json) out.result(JSON.stringify(drillJson(report)));
  else out.result(summaryLine(report));
  return report.status === 'passed' ? ExitCode.Ok : ExitCode.Fatal;
}

export function summaryLine(r: DrillReport): string {
  // A stale snapshot still gets its recovery measured: the failure says what that took.
  const measured = r.rtoMs === undefined ? '' : ` (recovery itself took ${formatDuration(r.rtoMs)})`;
  if (r.status === 'failed') return `drill FAILED at '${r.failedStep!.title}': ${r.failedStep!.detail}${measured}`;
  return `drill passed: snapshot ${r.snapshotId!.slice(0, 8)} restored and verified (${r.filesVerified} files, ${formatBytes(r.bytesVerified)}), RTO ${formatDuration(r.rtoMs ?? 0)}`;
}

export function drillJson(r: DrillReport): Record<string, unknown> {
  return {
    message_type: 'drill',
    status: r.status,
    failed_step: r.failedStep?.id ?? null,
    snapshot_id: r.snapshotId ?? null,
    snapshot_age_seconds: r.snapshotAgeMs === undefined ? null : Math.round(r.snapshotAgeMs / 1000),
    snapshot_read_errors: r.snapshotReadErrors ?? null,
    rto_seconds: r.rtoMs === undefined ? null : r.rtoMs / 1000,
    files_verified: r.filesVerified,
    bytes_verified: r.bytesVerified,
    kept_at: r.keptAt ?? null,
    steps: r.steps.map((s) => ({ id: s.id, status: s.status, detail: s.detail, duration_ms: s.durationMs ?? null })),
  };
}
