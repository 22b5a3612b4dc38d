/**
 * `npm run bench`: chunkvault against restic on the same data, in the same run, with the
 * same compression, into fresh local repositories. Prints wall times, peak memory, stored
 * bytes and the ratios. `--quick` uses a small data set (a smoke test of the bench itself).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { DEFAULT_SPEC, ensureDataset, type DatasetSpec } from './dataset.ts';
import { measure, type Measurement } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BASE = path.join(ROOT, 'bench', '.data');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const RESTIC = process.env.RESTIC_BIN ?? 'restic';
const PASSWORD = 'bench-password';
const quick = process.argv.includes('--quick');
const compression = process.argv.find((a) => a.startsWith('--compression='))?.split('=')[1] ?? 'auto';
const spec: DatasetSpec = quick ? { dumpBytes: 64 * 1024 * 1024, treeFiles: 2000, treeMeanBytes: 20 * 1024 } : DEFAULT_SPEC;

async function sizeOf(p: string): Promise<number> {
  const st = await stat(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(p)) total += await sizeOf(path.join(p, name));
  return total;
}

/** Reads every file once so both tools start from a warm page cache. */
async function warm(p: string): Promise<void> {
  const st = await stat(p);
  if (st.isDirectory()) {
    for (const name of await readdir(p)) await warm(path.join(p, name));
    return;
  }
  await pipeline(createReadStream(p), new Writable({ write: (_c, _e, cb) => cb() }));
}

interface ToolRun {
  first: Measurement;
  again: Measurement;
  storedBytes: number;
}

async function runTool(tool: 'restic' | 'chunkvault', dataset: string): Promise<ToolRun> {
  const repo = path.join(BASE, 'work', tool);
  await rm(repo, { recursive: true, force: true });
  await mkdir(path.dirname(repo), { recursive: true });
  const env = {
    ...process.env,
    RESTIC_REPOSITORY: repo,
    RESTIC_PASSWORD: PASSWORD,
    RESTIC_CACHE_DIR: path.join(BASE, 'work', 'restic-cache'),
  };
  const command = tool === 'restic' ? RESTIC : process.execPath;
  const prefix = tool === 'restic' ? [] : [CLI];
  execFileSync(command, [...prefix, 'init'], { env, stdio: 'ignore' });
  const args = [...prefix, 'backup', '--host', 'bench', '--compression', compression, '--json', dataset];
  await warm(dataset);
  const first = await measure(command, args, env);
  const again = await measure(command, args, env);
  return { first, again, storedBytes: await sizeOf(repo) };
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dataset = await ensureDataset(BASE, spec);
const inputBytes = (await sizeOf(dataset)) - (await stat(path.join(dataset, '.complete'))).size;
const resticVersion = execFileSync(RESTIC, ['version'], { encoding: 'utf8' }).trim();
console.log(`data set: ${mib(inputBytes)} (${spec.treeFiles} tree files + a ${mib(spec.dumpBytes)} dump) at ${dataset}`);
console.log(`restic: ${resticVersion}; chunkvault on Node ${process.versions.node}; compression ${compression}; ${(await import('node:os')).availableParallelism()} cores\n`);

const results: Record<string, ToolRun> = {};
for (const tool of ['restic', 'chunkvault'] as const) {
  process.stderr.write(`running ${tool} ...\n`);
  results[tool] = await runTool(tool, dataset);
}
const r = results.restic!;
const c = results.chunkvault!;
const rows: [string, string, string, string][] = [
  ['first backup, wall', sec(r.first.wallMs), sec(c.first.wallMs), (c.first.wallMs / r.first.wallMs).toFixed(2)],
  ['first backup, throughput', `${mib((inputBytes * 1000) / r.first.wallMs)}/s`, `${mib((inputBytes * 1000) / c.first.wallMs)}/s`, ''],
  ['first backup, peak RSS', mib(r.first.peakRssBytes), mib(c.first.peakRssBytes), (c.first.peakRssBytes / r.first.peakRssBytes).toFixed(2)],
  ['unchanged re-backup, wall', sec(r.again.wallMs), sec(c.again.wallMs), (c.again.wallMs / r.again.wallMs).toFixed(2)],
  ['unchanged re-backup, peak RSS', mib(r.again.peakRssBytes), mib(c.again.peakRssBytes), (c.again.peakRssBytes / r.again.peakRssBytes).toFixed(2)],
  ['repository size', mib(r.storedBytes), mib(c.storedBytes), (c.storedBytes / r.storedBytes).toFixed(3)],
];
const widths = [30, 14, 14, 22];
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('');
console.log(line(['', 'restic', 'chunkvault', 'chunkvault / restic']));
for (const row of rows) console.log(line(row));
