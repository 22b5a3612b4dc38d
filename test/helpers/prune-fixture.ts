/**
 * A repository with history worth pruning: three snapshots of a changing tree (a 12 MiB
 * file that is later deleted, files that change, small files), written by chunkvault or by
 * restic (into a repository with a cheap key, see cheap-repository.ts), plus what each snapshot must restore to (sha256 per file) and restic's
 * verdicts. After `restic forget` of the first snapshot, the repository holds unused packs,
 * partly used packs and tree packs to repack.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pseudoRandomBytes, dumpLikeText } from './data.ts';
import { runCli } from './cli.ts';
import { initCheapRepository } from './cheap-repository.ts';
import { restic, runRestic } from './restic.ts';
import { describeTree } from './tree.ts';

export const FIXTURE_PASSWORD = 'prune fixture password';

export interface HistoryFixture {
  repo: string;
  /** snapshot id → relative path → sha256, for every file the snapshot holds. */
  expected: Map<string, Map<string, string>>;
}

export interface Tool {
  repo: string;
  cacheDir: string;
}

/** Makes the history in `dir` (source under dir/src, repository at dir/repo). */
export async function makeHistory(dir: string, writer: 'chunkvault' | 'restic'): Promise<HistoryFixture> {
  const src = path.join(dir, 'src');
  const repo = path.join(dir, 'repo');
  const opts = { repo, password: FIXTURE_PASSWORD, cacheDir: dir };
  await fs.mkdir(src, { recursive: true });
  // Both tools run against it dozens of times: a cheap key derivation keeps that affordable.
  await initCheapRepository(repo, FIXTURE_PASSWORD);

  const backup = async () => {
    if (writer === 'restic') await restic(['backup', '--host', 'fixture', src], opts);
    else await cli(['backup', '--host', 'fixture', src], repo, dir);
  };
  const write = (rel: string, data: Uint8Array) => fs.mkdir(path.dirname(path.join(src, rel)), { recursive: true }).then(() => fs.writeFile(path.join(src, rel), data));

  // 1: a big file that the next snapshots no longer have, and files that stay.
  await write('big.bin', pseudoRandomBytes(12 * 1024 * 1024, 1));
  await write('keep.bin', pseudoRandomBytes(3 * 1024 * 1024, 2));
  await write('dump.sql', dumpLikeText(2 * 1024 * 1024, 3));
  for (let i = 0; i < 30; i++) await write(`small/f${i}.txt`, pseudoRandomBytes(500 + i * 97, 100 + i));
  await backup();
  // 2: the big file goes, one file changes, another is added.
  await fs.rm(path.join(src, 'big.bin'));
  await write('dump.sql', dumpLikeText(2 * 1024 * 1024, 4));
  await write('new.bin', pseudoRandomBytes(4 * 1024 * 1024, 5));
  for (let i = 0; i < 10; i++) await write(`small/f${i}.txt`, pseudoRandomBytes(700 + i, 200 + i));
  await backup();
  // 3: a little more.
  await write('later.bin', pseudoRandomBytes(1024 * 1024, 6));
  await backup();

  return { repo, expected: await expectedContents(opts, src) };
}

/** What each snapshot holds, read back through restic (which the tests trust for this). */
async function expectedContents(opts: { repo: string; password: string; cacheDir: string }, src: string): Promise<Map<string, Map<string, string>>> {
  const list = JSON.parse(await restic(['snapshots', '--json'], opts)) as { id: string; time: string }[];
  list.sort((a, b) => (a.time < b.time ? -1 : 1));
  const out = new Map<string, Map<string, string>>();
  for (const s of list) {
    const target = path.join(path.dirname(opts.repo), `expected-${s.id.slice(0, 8)}`);
    await restic(['restore', s.id, '--target', target], opts);
    out.set(s.id, await fileHashes(path.join(target, src)));
    await fs.rm(target, { recursive: true, force: true });
  }
  return out;
}

export async function fileHashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [rel, info] of await describeTree(root)) if (info.type === 'file') out.set(rel, info.sha256!);
  return out;
}

/** Restores every remaining snapshot with restic and compares it with what it held; returns problems. */
export async function verifySnapshotsRestore(fixture: HistoryFixture, work: string, tool: Tool): Promise<string[]> {
  const opts = { repo: tool.repo, password: FIXTURE_PASSWORD, cacheDir: tool.cacheDir };
  const list = JSON.parse(await restic(['snapshots', '--json', '--no-lock'], opts)) as { id: string; paths: string[] }[];
  const problems: string[] = [];
  for (const s of list) {
    const want = fixture.expected.get(s.id);
    if (!want) {
      problems.push(`snapshot ${s.id}: not one of the fixture's`);
      continue;
    }
    const target = path.join(work, `restore-${s.id.slice(0, 8)}-${Date.now()}`);
    const r = await runRestic(['restore', s.id, '--target', target, '--no-lock'], opts);
    if (r.code !== 0) {
      problems.push(`snapshot ${s.id}: restic restore exited ${r.code}: ${r.stderr.trim()}`);
      continue;
    }
    const got = await fileHashes(path.join(target, s.paths[0]!));
    for (const [rel, hash] of want) if (got.get(rel) !== hash) problems.push(`snapshot ${s.id}: ${rel} ${got.has(rel) ? 'differs' : 'is missing'}`);
    for (const rel of got.keys()) if (!want.has(rel)) problems.push(`snapshot ${s.id}: ${rel} is unexpected`);
    await fs.rm(target, { recursive: true, force: true });
  }
  return problems;
}

/** restic 0.14's check; returns its exit code and output. */
export async function resticCheck(tool: Tool, readData = true): Promise<{ code: number; output: string }> {
  const opts = { repo: tool.repo, password: FIXTURE_PASSWORD, cacheDir: tool.cacheDir };
  const r = await runRestic(readData ? ['check', '--read-data'] : ['check'], opts);
  return { code: r.code, output: r.stdout + r.stderr };
}

/** A SHA-256 over the names and sizes of every file in the repository. */
export async function repositoryFingerprint(repo: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string) => {
    for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else h.update(`${path.relative(repo, p)} ${(await fs.stat(p)).size}\n`);
    }
  };
  await walk(repo);
  return h.digest('hex');
}

async function cli(args: string[], repo: string, cwd: string): Promise<string> {
  const r = await runCli(['-r', repo, ...args], { CHUNKVAULT_PASSWORD: FIXTURE_PASSWORD, TZ: 'UTC' }, cwd);
  if (r.code !== 0) throw new Error(`chunkvault ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r.stdout;
}

export { cli as chunkvaultCli };
