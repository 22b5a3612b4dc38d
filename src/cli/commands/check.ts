import { check, ChunkvaultError, describeSelection, ErrorCode, formatBytes, formatCount, formatDuration, lockRefreshWarning, parseReadDataSubset, type CheckProgress, type CheckReport, type Finding, type ReadDataSelection } from '../../engine/index.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const CHECK_HELP = `chunkvault check: check the repository for errors, as restic check does

Usage: chunkvault check -r REPO [--read-data | --read-data-subset n/t|x%|auto] [--json]

Checks that every index file, snapshot and tree loads, that every pack the index names
exists with the right size, and that every file's data is in the index. With read-data,
also reads packs and verifies their hash, header and every blob in them.

Options:
  --read-data              read and verify every pack
  --read-data-subset S     read part of the packs: n/t reads group n of t (the same packs
                           restic reads), x% a random x percent, auto the group for this
                           run (GITHUB_RUN_NUMBER mod 8, + 1: 8 runs read everything)

Damage found is listed with the files it affects. Exit codes: 0 no errors (hints may be
listed), 1 errors found or failure, 10 no repository, 11 locked, 12 wrong password,
130 interrupted.`;

/** Snapshot ids listed per finding in the human output (the JSON has them all). */
const MAX_SNAPSHOTS_SHOWN = 8;

export interface CheckArgs {
  'read-data'?: boolean;
  'read-data-subset'?: string;
}

/** The read-data selection the flags ask for, or undefined for a structure-only check. */
export function readDataSelection(args: CheckArgs, env: NodeJS.ProcessEnv): ReadDataSelection | undefined {
  const subset = args['read-data-subset'];
  if (args['read-data'] && subset !== undefined) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, '--read-data and --read-data-subset cannot be used together');
  }
  if (args['read-data']) return { kind: 'all' };
  if (subset !== undefined) return parseReadDataSubset(subset, { runNumber: env.GITHUB_RUN_NUMBER, what: '--read-data-subset' });
  return undefined;
}

export async function runCheck(g: GlobalOptions, args: CheckArgs, out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const readData = readDataSelection(args, env);
  const repo = await openRepository(g, env, { signal });
  if (!g.json) out.info(readData ? `checking the repository, reading ${describeSelection(readData)}` : 'checking the repository structure (no pack data read)');
  const report = await check(repo, {
    lockWaitMs: g.lockWaitMs,
    readData,
    noLock: g.noLock,
    onWarning: (message) => out.warn(message),
    signal,
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(progressLine(p)),
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  if (g.json) out.result(JSON.stringify(report));
  else out.result(reportText(report, readData !== undefined));
  return report.errors.length > 0 ? ExitCode.Fatal : ExitCode.Ok;
}

/** "1 snapshot", "2,048 snapshots". */
function count(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function progressLine(p: CheckProgress): string {
  const read = p.phase === 'read-data' || p.packsRead > 0 ? `, read ${formatCount(p.packsRead)}/${formatCount(p.packsSelected)} packs (${formatBytes(p.bytesRead)})` : '';
  return `[${p.phase}] ${count(p.snapshotsChecked, 'snapshot')}, ${count(p.treesChecked, 'tree')}, ${count(p.packsChecked, 'pack')}${read}, ${count(p.errors, 'error')}`;
}

/** Findings first (errors, then hints), each with the files it affects; then the figures. */
export function reportText(r: CheckReport, readData: boolean): string {
  const lines: string[] = [];
  for (const f of [...r.errors, ...r.hints]) lines.push(...findingLines(f));
  if (lines.length > 0) lines.push('');
  const read = readData ? `; read ${formatCount(r.packsRead)} of ${count(r.packsSelected, 'selected pack')} (${formatBytes(r.bytesRead)}, ${count(r.blobsRead, 'blob')})` : '';
  lines.push(`checked ${count(r.snapshotsChecked, 'snapshot')}, ${count(r.treesChecked, 'tree')}, ${count(r.packsChecked, 'pack')}${read} in ${formatDuration(r.durationMs)}`);
  if (r.errors.length === 0) lines.push(r.hints.length > 0 ? `no errors were found (${count(r.hints.length, 'hint')})` : 'no errors were found');
  else lines.push(`the repository contains errors: ${count(r.errors.length, 'error')} found`);
  return lines.join('\n');
}

function findingLines(f: Finding): string[] {
  const lines = [`${f.severity}: ${f.message} [${f.code}]`];
  if (f.paths && f.paths.length > 0) {
    const total = f.pathCount ?? f.paths.length;
    const snaps = f.snapshotIds ?? [];
    const shown = snaps.slice(0, MAX_SNAPSHOTS_SHOWN).map((s) => s.slice(0, 8));
    if (snaps.length > shown.length) shown.push(`… ${snaps.length - shown.length} more`);
    lines.push(`  affects ${count(total, 'path')} in ${count(snaps.length, 'snapshot')} (${shown.join(', ')}):`);
    for (const p of f.paths) lines.push(`    ${p}`);
    if (total > f.paths.length) lines.push(`    … and ${formatCount(total - f.paths.length)} more`);
  }
  return lines;
}
