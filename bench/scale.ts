/**
 * How time and peak memory grow with data size and file count, chunkvault beside restic:
 * a first backup and a restore of one incompressible file of 1, 4 and 8 GiB, and a first
 * backup of 20,000 and 200,000 small files. One run of each (this shows growth, the
 * ratios come from `npm run bench`). Builds its data in bench/.data on first use (13 GiB
 * of files, and twice that of repositories while it runs); needs dist/ built.
 *
 * Run: node bench/scale.ts [--sizes=1,4,8] [--files=20000,200000]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ensureRandomFile, ensureTree } from './dataset.ts';
import { measure } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BASE = path.join(ROOT, 'bench', '.data');
const WORK = path.join(BASE, 'scale');
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js');
const RESTIC = process.env.RESTIC_BIN ?? 'restic';
const GiB = 1024 ** 3;
const list = (flag: string, fallback: number[]) =>
  process.argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1]?.split(',').map(Number) ?? fallback;
const SIZES_GIB = list('sizes', [1, 4, 8]);
const FILE_COUNTS = list('files', [20_000, 200_000]);
/** Mean size of the small files: a source tree's, kept small so that 200,000 of them stay quick to build. */
const SMALL_FILE_MEAN_BYTES = 2048;

type Tool = 'restic' | 'chunkvault';
const TOOLS: readonly Tool[] = ['restic', 'chunkvault'];

function env(repo: string): NodeJS.ProcessEnv {
  return { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'bench-password', RESTIC_CACHE_DIR: path.join(WORK, 'restic-cache'), CHUNKVAULT_CACHE_DIR: path.join(WORK, 'chunkvault-cache') };
}

async function run(tool: Tool, repo: string, args: string[]): Promise<{ seconds: number; peakMiB: number }> {
  const [file, prefix] = tool === 'restic' ? [RESTIC, []] : [process.execPath, [CLI]];
  const m = await measure(file, [...prefix, ...args], env(repo));
  return { seconds: m.wallMs / 1000, peakMiB: m.peakRssBytes / 2 ** 20 };
}

async function sizeOf(p: string): Promise<number> {
  const st = await stat(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(p)) total += await sizeOf(path.join(p, name));
  return total;
}

const rows: string[] = [];
function row(what: string, job: string, r: Record<Tool, { seconds: number; peakMiB: number }>): void {
  const line = `| ${what} | ${job} | ${r.restic.seconds.toFixed(2)} s | ${r.chunkvault.seconds.toFixed(2)} s | ${(r.chunkvault.seconds / r.restic.seconds).toFixed(2)} | ${r.restic.peakMiB.toFixed(0)} / ${r.chunkvault.peakMiB.toFixed(0)} MiB |`;
  rows.push(line);
  process.stderr.write(`${line}\n`);
}

async function measureSource(what: string, source: string, restore: boolean): Promise<void> {
  const backup: Partial<Record<Tool, { seconds: number; peakMiB: number }>> = {};
  const restored: Partial<Record<Tool, { seconds: number; peakMiB: number }>> = {};
  for (const tool of TOOLS) {
    const repo = path.join(WORK, `${tool}-repo`);
    const target = path.join(WORK, `${tool}-restore`);
    await rm(repo, { recursive: true, force: true });
    await run(tool, repo, ['init']);
    execFileSync('sync');
    backup[tool] = await run(tool, repo, ['backup', '--host', 'bench', source]);
    if (restore) {
      await rm(target, { recursive: true, force: true });
      execFileSync('sync');
      restored[tool] = await run(tool, repo, ['restore', 'latest', '--target', target]);
      await rm(target, { recursive: true, force: true });
    }
    await rm(repo, { recursive: true, force: true });
  }
  row(what, 'first backup', backup as Record<Tool, { seconds: number; peakMiB: number }>);
  if (restore) row(what, 'restore', restored as Record<Tool, { seconds: number; peakMiB: number }>);
}

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
await mkdir(WORK, { recursive: true });
for (const gib of SIZES_GIB) {
  const file = await ensureRandomFile(BASE, gib * GiB);
  await measureSource(`one ${gib} GiB file`, file, true);
}
for (const count of FILE_COUNTS) {
  const tree = await ensureTree(BASE, count, SMALL_FILE_MEAN_BYTES);
  await measureSource(`${count.toLocaleString('en-US')} files, ${((await sizeOf(tree)) / 2 ** 20).toFixed(0)} MiB`, tree, false);
}
console.log('| data | job | restic | chunkvault | ratio | peak RSS restic / chunkvault |\n|---|---|---|---|---|---|');
for (const line of rows) console.log(line);
