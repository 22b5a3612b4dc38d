/**
 * `npm run bench`: chunkvault against restic on the same data, in the same run. Every job
 * runs both tools in turn (restic, chunkvault, restic, …) at least three times, each run
 * from the same starting state, and the table gives the median wall time of each, the
 * median of the pairwise ratios (chunkvault / restic: below 1 is faster), peak memory and
 * the bytes each repository stored. chunkvault runs as users run it: the bundled CLI in
 * dist/ (`npm run build` first). `--quick` runs a small data set as a check of the bench.
 *
 * Jobs: first backups (dump with compression auto and off, a tree of small files, random
 * data), re-backups with nothing changed, re-backups of a fresh copy of the same content
 * (new mtimes and inodes: CI's checkout), a re-backup after about 1% of the dump changed,
 * restores from a repository restic wrote and from one chunkvault wrote, and check
 * --read-data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SPEC, ensureDataset, ensureRandomFile, type DatasetSpec } from './dataset.ts';
import { measure, type Measurement } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BASE = path.join(ROOT, 'bench', '.data');
const WORK = path.join(BASE, 'work');
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js');
const RESTIC = process.env.RESTIC_BIN ?? 'restic';
const PASSWORD = 'bench-password';
const quick = process.argv.includes('--quick');
const RUNS = Math.max(3, Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3));
const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1];
const spec: DatasetSpec = quick ? { dumpBytes: 48 * 1024 * 1024, treeFiles: 1500, treeMeanBytes: 20 * 1024 } : DEFAULT_SPEC;
const RANDOM_BYTES = quick ? 32 * 1024 * 1024 : 512 * 1024 * 1024;

type Tool = 'restic' | 'chunkvault';
const TOOLS: readonly Tool[] = ['restic', 'chunkvault'];

/** One timed command, and what was stored by it (bytes the repository grew by). */
interface Run {
  m: Measurement;
  storedBytes: number;
}

interface Job {
  name: string;
  /** Untimed, once per tool before its runs; returns the repository the runs use. */
  setup?: (tool: Tool) => Promise<string>;
  /** Untimed, before each run: puts the data and repository in the run's starting state. */
  before?: (tool: Tool, repo: string, run: number) => Promise<void>;
  /** The timed command's arguments (after the tool's own executable). */
  args: (tool: Tool, repo: string) => string[];
  /** Untimed, after each run. */
  after?: (tool: Tool, repo: string) => Promise<void>;
  /** Whether the stored-bytes column means anything for this job. */
  stores: boolean;
}

function env(repo: string): NodeJS.ProcessEnv {
  return { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: path.join(WORK, 'restic-cache'), CHUNKVAULT_CACHE_DIR: path.join(WORK, 'chunkvault-cache') };
}

function command(tool: Tool): { file: string; prefix: string[] } {
  return tool === 'restic' ? { file: RESTIC, prefix: [] } : { file: process.execPath, prefix: [CLI] };
}

function runTool(tool: Tool, repo: string, args: string[]): void {
  const { file, prefix } = command(tool);
  execFileSync(file, [...prefix, ...args], { env: env(repo), stdio: 'ignore' });
}

async function sizeOf(p: string): Promise<number> {
  if (!existsSync(p)) return 0;
  const st = await stat(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(p)) total += await sizeOf(path.join(p, name));
  return total;
}

async function freshRepo(name: string): Promise<string> {
  const repo = path.join(WORK, name);
  await rm(repo, { recursive: true, force: true });
  await mkdir(path.dirname(repo), { recursive: true });
  return repo;
}

/** A repository holding one backup of `source`, made by `tool` (built once per bench run). */
async function repoWith(tool: Tool, label: string, source: string): Promise<string> {
  const repo = await freshRepo(`${tool}-${label}`);
  runTool(tool, repo, ['init']);
  runTool(tool, repo, ['backup', '--host', 'bench', source]);
  return repo;
}

/** A copy of `from` at `to` made anew: same bytes, new inodes and mtimes, as a fresh checkout. */
async function freshCopy(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(path.dirname(to), { recursive: true });
  await cp(from, to, { recursive: true });
  execFileSync('sync');
}

/** Changes about 1% of a copy of the dump, in 16 places spread over it, different each run. */
async function changeOnePercent(file: string, run: number): Promise<void> {
  const size = (await stat(file)).size;
  const fh = await open(file, 'r+');
  try {
    const places = 16;
    const each = Math.floor(size / 100 / places);
    for (let i = 0; i < places; i++) {
      const at = Math.floor(((i + (run + 1) / (RUNS + 2)) * size) / places) % Math.max(1, size - each);
      const bytes = Buffer.alloc(each, 0x41 + ((run + i) % 26));
      await fh.write(bytes, 0, each, at);
    }
  } finally {
    await fh.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function runJob(job: Job): Promise<Record<Tool, Run[]>> {
  const repos = {} as Record<Tool, string>;
  for (const tool of TOOLS) repos[tool] = job.setup ? await job.setup(tool) : '';
  const runs: Record<Tool, Run[]> = { restic: [], chunkvault: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const tool of TOOLS) {
      const repo = repos[tool];
      await job.before?.(tool, repo, i);
      const sizeBefore = await sizeOf(repo);
      const { file, prefix } = command(tool);
      const m = await measure(file, [...prefix, ...job.args(tool, repo)], env(repo));
      const storedBytes = (await sizeOf(repo)) - sizeBefore;
      await job.after?.(tool, repo);
      runs[tool].push({ m, storedBytes });
    }
  }
  return runs;
}

const dataset = await ensureDataset(BASE, spec);
const random = await ensureRandomFile(BASE, RANDOM_BYTES);
const dump = path.join(dataset, 'dump.sql');
const tree = path.join(dataset, 'tree');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
await mkdir(WORK, { recursive: true });

const backup = (source: string, compression = 'auto') => (_tool: Tool, _repo: string) => ['backup', '--host', 'bench', '--compression', compression, source];
const emptyRepo = (label: string) => async (tool: Tool) => freshRepo(`${tool}-${label}`);
const initEach = async (tool: Tool, repo: string) => {
  await rm(repo, { recursive: true, force: true });
  runTool(tool, repo, ['init']);
};
const checkout = path.join(WORK, 'checkout');
const restoreTarget = (tool: Tool) => path.join(WORK, `restore-${tool}`);
const clearTarget = async (tool: Tool) => {
  await rm(restoreTarget(tool), { recursive: true, force: true });
  execFileSync('sync');
};

// Repositories written once and read by several jobs: each tool's backup of the dump and of the tree.
const written: Record<string, Record<Tool, string>> = {};
async function writtenBy(writer: Tool, label: 'dump' | 'tree'): Promise<string> {
  written[label] ??= {} as Record<Tool, string>;
  written[label][writer] ??= await repoWith(writer, `${label}-written`, label === 'dump' ? dump : tree);
  return written[label][writer];
}

const jobs: Job[] = [
  { name: 'first backup, dump, compression auto', setup: emptyRepo('first'), before: initEach, args: backup(dump), stores: true },
  { name: 'first backup, dump, compression off', setup: emptyRepo('first'), before: initEach, args: backup(dump, 'off'), stores: true },
  { name: 'first backup, tree', setup: emptyRepo('first'), before: initEach, args: backup(tree), stores: true },
  { name: `first backup, ${RANDOM_BYTES >> 20} MiB random`, setup: emptyRepo('first'), before: initEach, args: backup(random), stores: true },
  { name: 're-backup, dump unchanged', setup: (t) => writtenBy(t, 'dump'), args: backup(dump), stores: true },
  { name: 're-backup, tree unchanged', setup: (t) => writtenBy(t, 'tree'), args: backup(tree), stores: true },
  {
    name: 're-backup of a fresh checkout, tree',
    setup: async (tool) => {
      await freshCopy(tree, checkout);
      return repoWith(tool, 'checkout-tree', checkout);
    },
    before: () => freshCopy(tree, checkout),
    args: backup(checkout),
    stores: true,
  },
  {
    name: 're-backup of a fresh checkout, dump',
    setup: async (tool) => {
      await freshCopy(dump, path.join(checkout, 'dump.sql'));
      return repoWith(tool, 'checkout-dump', path.join(checkout, 'dump.sql'));
    },
    before: () => freshCopy(dump, path.join(checkout, 'dump.sql')),
    args: backup(path.join(checkout, 'dump.sql')),
    stores: true,
  },
  {
    name: 're-backup, about 1% of the dump changed',
    setup: async (tool) => {
      await freshCopy(dump, path.join(checkout, 'dump.sql'));
      return repoWith(tool, 'changed-dump', path.join(checkout, 'dump.sql'));
    },
    before: async (_tool, _repo, run) => {
      await freshCopy(dump, path.join(checkout, 'dump.sql'));
      await changeOnePercent(path.join(checkout, 'dump.sql'), run);
    },
    args: backup(path.join(checkout, 'dump.sql')),
    stores: true,
  },
  ...(['dump', 'tree'] as const).flatMap((label) =>
    TOOLS.map(
      (writer): Job => ({
        name: `restore latest, ${label}, repository written by ${writer}`,
        setup: () => writtenBy(writer, label),
        before: (tool) => clearTarget(tool),
        args: (tool) => ['restore', 'latest', '--target', restoreTarget(tool)],
        after: (tool) => clearTarget(tool),
        stores: false,
      }),
    ),
  ),
  { name: 'check --read-data, dump (repository written by restic)', setup: () => writtenBy('restic', 'dump'), args: () => ['check', '--read-data'], stores: false },
];

const resticVersion = execFileSync(RESTIC, ['version'], { encoding: 'utf8' }).trim();
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`data set: a ${mib(spec.dumpBytes)} dump, ${spec.treeFiles} tree files (${mib(await sizeOf(tree))}), ${mib(RANDOM_BYTES)} random; ${RUNS} runs each, alternating`);
console.log(`${resticVersion}; chunkvault ${CLI} on Node ${process.versions.node}; ${availableParallelism()} cores; ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| job | restic | chunkvault | ratio | peak RSS restic / chunkvault | stored restic / chunkvault |');
console.log('|---|---|---|---|---|---|');
for (const job of jobs) {
  if (only && !job.name.includes(only)) continue;
  process.stderr.write(`${job.name} ...\n`);
  const runs = await runJob(job);
  const r = runs.restic;
  const c = runs.chunkvault;
  const ratio = median(c.map((run, i) => run.m.wallMs / r[i]!.m.wallMs));
  const stored = job.stores ? `${mib(median(r.map((x) => x.storedBytes)))} / ${mib(median(c.map((x) => x.storedBytes)))}` : '';
  console.log(
    `| ${job.name} | ${sec(median(r.map((x) => x.m.wallMs)))} | ${sec(median(c.map((x) => x.m.wallMs)))} | ${ratio.toFixed(2)} | ` +
      `${mib(median(r.map((x) => x.m.peakRssBytes)))} / ${mib(median(c.map((x) => x.m.peakRssBytes)))} | ${stored} |`,
  );
}
await rm(checkout, { recursive: true, force: true });
