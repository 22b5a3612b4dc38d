/**
 * `node bench/restore.ts [--quick] [--scratch=DIR]`: restore time of chunkvault against `restic restore`,
 * on the bench data set, from the same repository written by restic (both tools read the
 * same packs) and from one written by chunkvault. Each restore goes into a fresh
 * directory; wall time and peak memory are measured from outside the process. The
 * restored trees are compared with the data set by content hash.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_SPEC, ensureDataset, type DatasetSpec } from './dataset.ts';
import { measure, type Measurement } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BASE = path.join(ROOT, 'bench', '.data');
const WORK = path.join(BASE, 'restore-work');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const RESTIC = process.env.RESTIC_BIN ?? 'restic';
const PASSWORD = 'bench-password';

if (process.argv[2] === '--child') {
  // The chunkvault side, run in its own process: open, restore, print the summary.
  const [, , , repoPath, target] = process.argv;
  const { LocalBackend } = await import('../src/backends/local.ts');
  const { Repository } = await import('../src/engine/repository/repository.ts');
  const { restore } = await import('../src/engine/commands/restore.ts');
  const repo = await Repository.open(new LocalBackend(repoPath!), PASSWORD);
  const result = await restore(repo, { target: target! });
  console.log(JSON.stringify(result));
  process.exit(0);
}

const quick = process.argv.includes('--quick');
/** Where restores go: `--scratch=/dev/shm/x` takes the disk out of the measurement. */
const SCRATCH = process.argv.find((a) => a.startsWith('--scratch='))?.split('=')[1] ?? WORK;
const spec: DatasetSpec = quick ? { dumpBytes: 64 * 1024 * 1024, treeFiles: 2000, treeMeanBytes: 20 * 1024 } : DEFAULT_SPEC;

async function hashTree(p: string, out = new Map<string, string>(), rel = ''): Promise<Map<string, string>> {
  for (const e of await readdir(p, { withFileTypes: true })) {
    const child = path.join(p, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await hashTree(child, out, r);
    else if (e.isFile()) out.set(r, createHash('sha256').update(await readFile(child)).digest('hex'));
  }
  return out;
}

function sameTrees(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const dataset = await ensureDataset(BASE, spec);
const env = { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: path.join(WORK, 'restic-cache') };
await mkdir(WORK, { recursive: true });
await mkdir(SCRATCH, { recursive: true });
const repos = { restic: path.join(WORK, `restic-${path.basename(dataset)}`), chunkvault: path.join(WORK, `chunkvault-${path.basename(dataset)}`) };
if (!existsSync(path.join(repos.restic, 'config'))) {
  process.stderr.write('backing up the data set with restic ...\n');
  execFileSync(RESTIC, ['init'], { env: { ...env, RESTIC_REPOSITORY: repos.restic }, stdio: 'ignore' });
  execFileSync(RESTIC, ['backup', '--host', 'bench', dataset], { env: { ...env, RESTIC_REPOSITORY: repos.restic }, stdio: 'ignore' });
}
if (!existsSync(path.join(repos.chunkvault, 'config'))) {
  process.stderr.write('backing up the data set with chunkvault ...\n');
  execFileSync(process.execPath, [CLI, 'init'], { env: { ...env, RESTIC_REPOSITORY: repos.chunkvault }, stdio: 'ignore' });
  execFileSync(process.execPath, [CLI, 'backup', '--host', 'bench', dataset], { env: { ...env, RESTIC_REPOSITORY: repos.chunkvault }, stdio: 'ignore' });
}
const expected = await hashTree(dataset);
expected.delete('.complete');

async function run(tool: 'restic' | 'chunkvault', repo: string): Promise<Measurement> {
  const target = path.join(SCRATCH, `target-${tool}`);
  await rm(target, { recursive: true, force: true });
  execFileSync('sync'); // earlier runs' writes are not flushed during this one
  const m =
    tool === 'restic'
      ? await measure(RESTIC, ['restore', 'latest', '--target', target], { ...env, RESTIC_REPOSITORY: repo })
      : await measure(process.execPath, [import.meta.filename, '--child', repo, target], env);
  const restored = await hashTree(path.join(target, dataset));
  restored.delete('.complete');
  if (!sameTrees(expected, restored)) throw new Error(`${tool} restored different content from ${repo}`);
  await rm(target, { recursive: true, force: true });
  return m;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
let totalBytes = 0;
for (const k of expected.keys()) totalBytes += (await stat(path.join(dataset, k))).size;
console.log(`data set: ${mib(totalBytes)} in ${expected.size} files; restic ${execFileSync(RESTIC, ['version'], { encoding: 'utf8' }).trim()}; Node ${process.versions.node}; ${(await import('node:os')).availableParallelism()} cores`);
const rounds = quick ? 3 : 2;
for (const [label, repo] of Object.entries(repos)) {
  const times: Record<string, Measurement[]> = { restic: [], chunkvault: [] };
  for (let i = 0; i < rounds; i++) for (const tool of ['restic', 'chunkvault'] as const) times[tool]!.push(await run(tool, repo));
  const best = (ms: Measurement[]) => ms.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
  const r = best(times.restic!);
  const c = best(times.chunkvault!);
  console.log(
    `repository written by ${label.padEnd(10)}: restic ${sec(r.wallMs)} (${mib(r.peakRssBytes)} peak), chunkvault ${sec(c.wallMs)} (${mib(c.peakRssBytes)} peak), ` +
      `ratio ${(c.wallMs / r.wallMs).toFixed(2)}  [all runs: restic ${times.restic!.map((m) => sec(m.wallMs)).join(', ')}; chunkvault ${times.chunkvault!.map((m) => sec(m.wallMs)).join(', ')}]`,
  );
}
