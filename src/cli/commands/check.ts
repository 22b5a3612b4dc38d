import { check } from '../../engine/commands/check.ts';
import {
  describeSelection,
  parseReadDataSubset,
  type CheckProgress,
  type CheckReport,
  type Finding,
  type ReadDataSelection,
} from '../../engine/checker/index.ts';
import { ChunkvaultError, ErrorCode } from '../../engine/errors.ts';
import { formatBytes, formatCount, formatDuration } from '../../ui/human.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const CHECK_HELP = `chunkvault check: check the repository for errors, as restic check does

Usage: chunkvault check -r REPO [--read-data | --read-data-subset n/t|x%|auto] [--no-lock] [--json]

Checks that every index file, snapshot and tree loads, that every pack the index names
exists with the right size, and that every file's data is in the index. With read-data,
also reads packs and verifies their hash, header and every blob in them.

Options:
  --read-data              read and verify every pack
  --read-data-subset S     read part of the packs: n/t reads group n of t (the same packs
                           restic reads), x% a random x percent, auto the group for this
                           run (GITHUB_RUN_NUMBER mod 8, + 1: 8 runs read everything)
  --no-lock                do not lock the repository (for read-only storage)

Damage found is listed with the files it affects. Exit codes: 0 no errors (hints may be
listed), 1 errors found or failure, 10 no repository, 11 locked, 12 wrong password,
130 interrupted.`;

export interface CheckArgs {
  'read-data'?: boolean;
  'read-data-subset'?: string;
  'no-lock'?: boolean;
}

/** The read-data selection the flags ask for, or undefined for a structure-only check. */
export function readDataSelection(args: CheckArgs, env: NodeJS.ProcessEnv): ReadDataSelection | undefined {
  const subset = args['read-data-subset'];
  if (args['read-data'] && subset !== undefined) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, '--read-data and --read-data-subset cannot be used together');
  }
  if (args['read-data']) return { kind: 'all' };
  if (subset !== undefined) return parseReadDataSubset(subset, { runNumber: env.GITHUB_RUN_NUMBER });
  return undefined;
}

export async function runCheck(g: GlobalOptions, args: CheckArgs, out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const readData = readDataSelection(args, env);
  const repo = await openRepository(g, env, { signal });
  if (!g.json) out.info(readData ? `checking the repository, reading ${describeSelection(readData)}` : 'checking the repository structure (no pack data read)');
  const report = await check(repo, {
    readData,
    noLock: args['no-lock'] === true,
    signal,
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(progressLine(p)),
    onLockRefreshError: (e) => out.warn(`could not refresh the repository lock: ${(e as Error).message}`),
  });
  out.done();
  if (g.json) out.result(JSON.stringify(report));
  else out.result(reportText(report, readData !== undefined));
  return report.errors.length > 0 ? ExitCode.Fatal : ExitCode.Ok;
}

function progressLine(p: CheckProgress): string {
  const read = p.phase === 'read-data' || p.packsRead > 0 ? `, read ${formatCount(p.packsRead)}/${formatCount(p.packsSelected)} packs (${formatBytes(p.bytesRead)})` : '';
  return `[${p.phase}] ${formatCount(p.snapshotsChecked)} snapshots, ${formatCount(p.treesChecked)} trees, ${formatCount(p.packsChecked)} packs${read}, ${p.errors} errors`;
}

/** Findings first (errors, then hints), each with the files it affects; then the figures. */
export function reportText(r: CheckReport, readData: boolean): string {
  const lines: string[] = [];
  for (const f of [...r.errors, ...r.hints]) lines.push(...findingLines(f));
  if (lines.length > 0) lines.push('');
  const read = readData ? `; read ${formatCount(r.packsRead)} of ${formatCount(r.packsSelected)} selected packs (${formatBytes(r.bytesRead)}, ${formatCount(r.blobsRead)} blobs)` : '';
  lines.push(
    `checked ${formatCount(r.snapshotsChecked)} snapshots, ${formatCount(r.treesChecked)} trees, ${formatCount(r.packsChecked)} packs${read} in ${formatDuration(r.durationMs)}`,
  );
  if (r.errors.length === 0) lines.push(r.hints.length > 0 ? `no errors were found (${r.hints.length} hint${r.hints.length === 1 ? '' : 's'})` : 'no errors were found');
  else lines.push(`the repository contains errors: ${r.errors.length} found`);
  return lines.join('\n');
}

function findingLines(f: Finding): string[] {
  const lines = [`${f.severity}: ${f.message} [${f.code}]`];
  if (f.paths && f.paths.length > 0) {
    const count = f.pathCount ?? f.paths.length;
    const snaps = f.snapshotIds ?? [];
    lines.push(`  affects ${count} path${count === 1 ? '' : 's'} in ${snaps.length} snapshot${snaps.length === 1 ? '' : 's'} (${snaps.map((s) => s.slice(0, 8)).join(', ')}):`);
    for (const p of f.paths) lines.push(`    ${p}`);
    if (count > f.paths.length) lines.push(`    … and ${count - f.paths.length} more`);
  }
  return lines;
}
