/** Helpers for restore tests: a captured CLI output, times Node.js can set exactly, snapshots of a directory's state. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import type { Output } from '../../src/cli/output.ts';
import { utimeSeconds } from '../../src/engine/restorer/times.ts';
import { RESTIC_BIN, assertResticInstalled, resticEnvironment } from './restic.ts';
import { describeTree, type EntryInfo } from './tree.ts';

/** Node.js sets times as double seconds: restored mtimes are within this of the snapshot's. */
export const NODE_TIME_TOLERANCE_NS = 120;

export interface CapturedOutput {
  out: Output;
  results: string[];
  warnings: string[];
}

export function captureOutput(): CapturedOutput {
  const results: string[] = [];
  const warnings: string[] = [];
  return {
    results,
    warnings,
    out: {
      result: (t) => results.push(t),
      info: () => {},
      warn: (t) => warnings.push(t),
      progress: () => {},
      done: () => {},
      progressIntervalMs: 60_000,
    },
  };
}

/**
 * Moves every entry's atime and mtime under `root` (root included) to the nearest value
 * Node.js can set, so that a restore can reproduce them to the nanosecond.
 */
export function snapTimesToNodeGrid(root: string): void {
  // Buffer paths: some names are not UTF-8.
  const visit = (p: Buffer) => {
    const st = fs.lstatSync(p, { bigint: true });
    if (st.isDirectory()) for (const name of fs.readdirSync(p, { encoding: 'buffer' })) visit(Buffer.concat([p, Buffer.from('/'), name]));
    const set = st.isSymbolicLink() ? fs.lutimesSync : fs.utimesSync;
    set(p, utimeSeconds(st.atimeNs), utimeSeconds(st.mtimeNs));
  };
  visit(Buffer.from(root));
}

/** Everything under `root` (types, modes, mtimes, contents, link targets), for before/after checks. */
export async function stateOf(root: string): Promise<Map<string, EntryInfo>> {
  return describeTree(root);
}

/** Entries that differ between two states of a directory, as readable lines. */
export function stateDiff(before: Map<string, EntryInfo>, after: Map<string, EntryInfo>): string[] {
  const lines: string[] = [];
  for (const [rel, b] of before) {
    const a = after.get(rel);
    if (!a) lines.push(`${rel}: removed`);
    else if (JSON.stringify(a, bigintJson) !== JSON.stringify(b, bigintJson)) lines.push(`${rel}: changed`);
  }
  for (const rel of after.keys()) if (!before.has(rel)) lines.push(`${rel}: added`);
  return lines;
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Runs restic with `stdin` fed to it (for `backup --stdin`); fails with restic's output on a non-zero exit. */
export function resticWithStdin(args: string[], opts: { repo: string; password: string; cacheDir: string }, stdin: Uint8Array): Promise<string> {
  assertResticInstalled();
  return new Promise((resolve, reject) => {
    const child = execFile(
      RESTIC_BIN,
      args,
      {
        maxBuffer: 64 * 1024 * 1024,
        env: resticEnvironment(opts),
      },
      (error, stdout, stderr) => (error ? reject(new Error(`restic ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin!.end(stdin);
  });
}
