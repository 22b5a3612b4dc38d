/**
 * `chunkvault check`: clean repositories (ours and restic's) pass with --read-data; each
 * kind of damage is reported with the right code, names the files it affects and fails
 * the command, and restic 0.14's own check agrees the repository is damaged;
 * --read-data-subset reads the same groups of packs restic reads.
 * A missing restic fails these tests: it never skips.
 */
import { chmod, cp, mkdir, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { checkRepository, type CheckReport, type Finding } from '../../src/engine/checker/index.ts';
import { READ_SEGMENT_BYTES } from '../../src/engine/checker/pack-verifier.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { idOf, type Id } from '../../src/engine/format/id.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, restic, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree } from '../helpers/tree.ts';

const PASSWORD = 'check-tests';
/** Cheap key derivation, so that every restic and chunkvault run on the base repository is quick. */
const FAST_KDF = { N: 16384, r: 8, p: 1 };
const SNAPSHOTS = 6;

describe('chunkvault check', () => {
  let dir: string;
  let source: string;
  let base: string;
  /** Snapshot ids, oldest first; snapshot i (1-based) added data/file{i}.bin. */
  const snapshots: Id[] = [];
  /** The pack that holds file3.bin's only data blob, and that blob. */
  let file3Pack: Id;
  let file3Blob: { offset: number; length: number };
  let file3Path: string;
  let packIds: Id[];

  const env = (repo: string) => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });
  const resticOpts = (repo: string) => ({ repo, password: PASSWORD, cacheDir: dir });
  const packPath = (repo: string, id: Id) => path.join(repo, 'data', id.slice(0, 2), id);

  async function cliCheck(repo: string, ...flags: string[]): Promise<{ code: number; report: CheckReport; stderr: string }> {
    const r = await runCli(['--json', 'check', ...flags], env(repo));
    expect(r.stdout, r.stderr).not.toBe('');
    return { code: r.code, report: JSON.parse(r.stdout) as CheckReport, stderr: r.stderr };
  }

  async function copyOfBase(name: string): Promise<string> {
    const copy = path.join(dir, name);
    await cp(base, copy, { recursive: true });
    return copy;
  }

  async function flipByte(file: string, at: number): Promise<void> {
    await chmod(file, 0o600);
    const bytes = await readFile(file);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(file, bytes);
  }

  const codes = (fs: Finding[]) => [...new Set(fs.map((f) => f.code))].sort();
  const withCode = (r: CheckReport, code: string) => r.errors.filter((f) => f.code === code);

  /**
   * restic's own check (with --read-data unless told otherwise: restic retries reading a
   * missing or short pack for most of a minute, and its structure check already fails there).
   */
  async function resticSaysDamaged(repo: string, readData = true): Promise<string> {
    const r = await runRestic(['--no-cache', 'check', ...(readData ? ['--read-data'] : [])], resticOpts(repo));
    expect(r.code, `restic check passed a damaged repository:\n${r.stdout}`).not.toBe(0);
    return r.stdout + r.stderr;
  }

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('check');
    source = path.join(dir, 'src');
    base = path.join(dir, 'base');
    await mkdir(path.join(source, 'data'), { recursive: true });
    await mkdir(path.join(source, 'docs'), { recursive: true });
    const repo = await Repository.init(new LocalBackend(base), PASSWORD, { kdf: FAST_KDF });
    // Each backup adds one file and changes another, so each writes its own data and tree packs.
    for (let i = 1; i <= SNAPSHOTS; i++) {
      await writeFile(path.join(source, 'data', `file${i}.bin`), pseudoRandomBytes(200_000, 1000 + i));
      await writeFile(path.join(source, 'docs', 'notes.txt'), `version ${i}\n`.repeat(100 * i));
      const r = await backup(repo, { targets: [source], baseDir: dir, hostname: 'check-host' });
      snapshots.push(r.snapshotId);
    }
    await repo.loadIndex();
    const loc = repo.index.lookup('data', idOf(pseudoRandomBytes(200_000, 1003)))!;
    file3Pack = loc.packId;
    file3Blob = { offset: loc.offset, length: loc.length };
    file3Path = `${source}/data/file3.bin`;
    packIds = [];
    for await (const f of repo.backend.list('data')) packIds.push(f.name);
    expect(packIds.length).toBeGreaterThanOrEqual(2 * SNAPSHOTS);
  });
  afterAll(() => removeDir(dir));

  it('passes a repository written by chunkvault with --read-data, reading every pack and blob', async () => {
    const { code, report } = await cliCheck(base, '--read-data');
    expect(report.errors).toEqual([]);
    expect(report.hints).toEqual([]);
    expect(code).toBe(0);
    expect(report.snapshotsChecked).toBe(SNAPSHOTS);
    expect(report.packsChecked).toBe(packIds.length);
    expect(report.packsRead).toBe(packIds.length);
    expect(report.treesChecked).toBeGreaterThan(SNAPSHOTS);
    expect(report.blobsRead).toBeGreaterThan(SNAPSHOTS * 2);
    expect(await restic(['--no-cache', 'check', '--read-data'], resticOpts(base))).toContain('no errors were found');
  });

  it('passes a repository written by restic 0.14, compressed and uncompressed, with --read-data, and finds a flipped byte in a blob that spans read segments', async () => {
    const repo = path.join(dir, 'restic-repo');
    const tree = path.join(dir, 'varied');
    await mkdir(tree);
    // A pack larger than one read segment, so that blobs straddle segment boundaries.
    await buildVariedTree(tree, { bigFileBytes: 2 * READ_SEGMENT_BYTES });
    await restic(['init'], resticOpts(repo));
    await restic(['backup', '--host', 'r', tree], resticOpts(repo));
    await writeFile(path.join(tree, 'added.bin'), pseudoRandomBytes(700_000, 77));
    await restic(['backup', '--host', 'r', '--compression', 'off', tree], resticOpts(repo));

    const r = await runCli(['check', '--read-data'], env(repo));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('no errors were found');
    expect(r.stdout).toMatch(/checked 2 snapshots, [\d,]+ trees, \d+ packs; read (\d+) of \1 selected packs/);

    const damaged = path.join(dir, 'restic-repo-flipped');
    await cp(repo, damaged, { recursive: true });
    const opened = await Repository.open(new LocalBackend(damaged), PASSWORD);
    await opened.loadIndex();
    // A large blob (so it comes from big.bin or dump.sql) across a segment boundary.
    let boundary = 0;
    const [spanning, loc] = [...opened.index.entries()].find(([, l]) => {
      boundary = (Math.floor(l.offset / READ_SEGMENT_BYTES) + 1) * READ_SEGMENT_BYTES;
      return l.length > 100_000 && l.offset + l.length > boundary + 32;
    })!;
    // Which file the blob belongs to: the one whose bytes contain its plaintext.
    const plain = Buffer.from(await opened.loadBlob('data', spanning));
    const owner = (await Promise.all(['big.bin', 'dump.sql'].map(async (f) => ((await readFile(path.join(tree, f))).includes(plain) ? f : undefined)))).find(Boolean);
    expect(owner).toBeDefined();
    await flipByte(packPath(damaged, loc.packId), boundary + 32);
    const report = await checkRepository(opened, { readData: { kind: 'all' } });
    expect(codes(report.errors)).toEqual(['blob-corrupt', 'pack-hash-mismatch']);
    expect(withCode(report, 'blob-corrupt')).toHaveLength(1);
    expect(withCode(report, 'blob-corrupt')[0]).toMatchObject({ blobId: spanning, packId: loc.packId, paths: [`${tree}/${owner}`] });
    expect(withCode(report, 'blob-corrupt')[0]!.snapshotIds).toHaveLength(2);
  });

  it('reports a flipped byte in a pack as a corrupt blob and a wrong pack hash, naming the file', async () => {
    const repo = await copyOfBase('flipped');
    await flipByte(packPath(repo, file3Pack), file3Blob.offset + 20);

    // The structure alone is intact: only reading the data finds the damage.
    const structural = await cliCheck(repo);
    expect(structural.report.errors).toEqual([]);
    expect(structural.code).toBe(0);

    const { code, report } = await cliCheck(repo, '--read-data');
    expect(code).toBe(1);
    expect(codes(report.errors)).toEqual(['blob-corrupt', 'pack-hash-mismatch']);
    const [corrupt] = withCode(report, 'blob-corrupt');
    expect(corrupt).toMatchObject({ packId: file3Pack, blobId: idOf(pseudoRandomBytes(200_000, 1003)), blobType: 'data' });
    expect(corrupt!.message).toMatch(/MAC mismatch/);
    expect(corrupt!.paths).toEqual([file3Path]);
    expect(corrupt!.snapshotIds).toEqual([...snapshots.slice(2)].sort());
    expect(withCode(report, 'pack-hash-mismatch')[0]!.packId).toBe(file3Pack);
    await resticSaysDamaged(repo);
  });

  it('reports a truncated pack by its size, and with --read-data the blobs cut off, naming the files', async () => {
    const repo = await copyOfBase('truncated');
    await chmod(packPath(repo, file3Pack), 0o600);
    await truncate(packPath(repo, file3Pack), file3Blob.offset + 10);

    const structural = await cliCheck(repo);
    expect(structural.code).toBe(1);
    expect(codes(structural.report.errors)).toEqual(['pack-size-mismatch']);
    // Without reading, every file with data in the pack is suspect.
    expect(structural.report.errors[0]!.paths).toContain(file3Path);

    const { code, report } = await cliCheck(repo, '--read-data');
    expect(code).toBe(1);
    expect(codes(report.errors)).toEqual(expect.arrayContaining(['blob-corrupt', 'pack-hash-mismatch', 'pack-header-unreadable', 'pack-size-mismatch']));
    const cut = withCode(report, 'blob-corrupt').find((f) => f.blobId === idOf(pseudoRandomBytes(200_000, 1003)));
    expect(cut?.message).toMatch(/past the end/);
    expect(cut?.paths).toEqual([file3Path]);
    expect(await resticSaysDamaged(repo, false)).toMatch(/unexpected file size/);
  });

  it('reports a deleted pack as missing and names every file with data in it', async () => {
    const repo = await copyOfBase('deleted-pack');
    await rm(packPath(repo, file3Pack), { force: true });

    const { code, report } = await cliCheck(repo);
    expect(code).toBe(1);
    expect(codes(report.errors)).toEqual(['pack-missing']);
    const [missing] = report.errors;
    expect(missing!.packId).toBe(file3Pack);
    expect(missing!.paths).toContain(file3Path);
    // file3.bin is in snapshots 3 to 6, and snapshot 3's notes.txt was written into the same pack.
    expect(missing!.snapshotIds).toEqual([...snapshots.slice(2)].sort());
    expect(missing!.paths).toContain(`${source}/docs/notes.txt`);

    const human = await runCli(['check'], env(repo));
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`error: pack ${file3Pack} does not exist`);
    expect(human.stdout).toContain(`    ${file3Path}`);
    expect(human.stdout).toContain('the repository contains errors');
    expect(await resticSaysDamaged(repo, false)).toMatch(/does not exist/);
  });

  it('reports a deleted index file: blobs missing from the index (with their files), unindexed packs as hints', async () => {
    const repo = await copyOfBase('deleted-index');
    const backend = new LocalBackend(repo);
    const opened = await Repository.open(backend, PASSWORD);
    let victim: Id | undefined;
    for await (const f of backend.list('index')) {
      const text = new TextDecoder().decode(await opened.loadUnpacked('index', f.name));
      if (text.includes(file3Pack)) victim = f.name;
    }
    await rm(path.join(repo, 'index', victim!), { force: true });

    const { code, report } = await cliCheck(repo, '--read-data');
    expect(code).toBe(1);
    expect(codes(report.errors)).toEqual(expect.arrayContaining(['blob-missing']));
    expect(report.errors.every((f) => f.code === 'blob-missing' || f.code === 'tree-missing')).toBe(true);
    const affected = report.errors.flatMap((f) => f.paths ?? []);
    expect(affected).toContain(file3Path);
    expect(report.hints.filter((h) => h.code === 'pack-unreferenced').map((h) => h.packId)).toContain(file3Pack);
    expect(codes(report.hints)).toContain('index-incomplete');
    expect(report.packsRead).toBe(packIds.length - 2);
    await resticSaysDamaged(repo);
  });

  it('reports a flipped byte in a snapshot file as an unreadable snapshot', async () => {
    const repo = await copyOfBase('flipped-snapshot');
    const victim = snapshots[1]!;
    await flipByte(path.join(repo, 'snapshots', victim), 40);

    const { code, report } = await cliCheck(repo);
    expect(code).toBe(1);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ code: 'snapshot-unreadable', snapshotId: victim });
    expect(report.errors[0]!.message).toContain(victim);
    expect(report.snapshotsChecked).toBe(SNAPSHOTS);
    await resticSaysDamaged(repo);
  });

  it('reports a damaged tree pack as unreadable trees and names the directories below them', async () => {
    const repo = await copyOfBase('flipped-tree-pack');
    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    await opened.loadIndex();
    // Snapshot 4's root tree is new in backup 4, so it sits in that backup's tree pack.
    const { snapshot } = (await opened.listSnapshots()).find((s) => s.id === snapshots[3])!;
    const root = opened.index.lookup('tree', snapshot.tree)!;
    await flipByte(packPath(repo, root.packId), root.offset + 20);

    const { code, report } = await cliCheck(repo);
    expect(code).toBe(1);
    const unreadable = withCode(report, 'tree-unreadable').find((f) => f.blobId === snapshot.tree);
    expect(unreadable).toMatchObject({ packId: root.packId, snapshotId: snapshots[3] });
    expect(unreadable!.paths).toEqual(['/']);
    await resticSaysDamaged(repo);
  });

  it('reads every pack exactly once over --read-data-subset 1/t … t/t, in the groups restic reads', async () => {
    const t = 3;
    const opened = await Repository.open(new LocalBackend(base), PASSWORD);
    const seen: Id[] = [];
    for (let n = 1; n <= t; n++) {
      const read: Id[] = [];
      const report = await checkRepository(opened, { readData: { kind: 'subset', n, t }, onPackRead: (id) => read.push(id) });
      expect(report.errors).toEqual([]);
      expect(report.packsRead).toBe(read.length);
      // restic: "read group #n of N data packs (out of total M packs in t groups)"
      const out = await restic(['--no-cache', 'check', `--read-data-subset=${n}/${t}`], resticOpts(base));
      const m = /read group #(\d+) of (\d+) data packs \(out of total (\d+) packs in (\d+) groups\)/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![2])).toBe(read.length);
      expect(Number(m![3])).toBe(packIds.length);
      expect(read.every((id) => parseInt(id.slice(0, 2), 16) % t === n - 1)).toBe(true);
      seen.push(...read);
    }
    expect(seen.sort()).toEqual([...packIds].sort());

    const cli = await cliCheck(base, '--read-data-subset', `2/${t}`);
    expect(cli.code).toBe(0);
    expect(cli.report.packsRead).toBe(packIds.filter((id) => parseInt(id.slice(0, 2), 16) % t === 1).length);
  });

  it('reads ⌊count·x/100⌋ packs (at least one) for x%, reproducibly for a seed', async () => {
    const opened = await Repository.open(new LocalBackend(base), PASSWORD);
    const pick = async (percent: number, seed: number) => {
      const read: Id[] = [];
      const report = await checkRepository(opened, { readData: { kind: 'percent', percent, seed }, onPackRead: (id) => read.push(id) });
      expect(report.errors).toEqual([]);
      return read.sort();
    };
    const half = await pick(50, 7);
    expect(half).toHaveLength(Math.trunc(packIds.length / 2));
    expect(await pick(50, 7)).toEqual(half);
    expect(await pick(0.1, 1)).toHaveLength(1);
    expect(await pick(100, 3)).toEqual([...packIds].sort());

    const cli = await cliCheck(base, '--read-data-subset', '25%');
    expect(cli.report.packsRead).toBe(Math.trunc(packIds.length / 4));
  });

  it('refuses --read-data together with --read-data-subset, and subsets restic would refuse', async () => {
    // The full list of refused spellings is in test/unit/checker.test.ts.
    for (const flags of [['--read-data', '--read-data-subset', '1/2'], ['--read-data-subset', '3/2']]) {
      const r = await runCli(['check', ...flags], env(base));
      expect(r.code, flags.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/read-data/);
    }
    const auto = await runCli(['--json', 'check', '--read-data-subset', 'auto'], { ...env(base), GITHUB_RUN_NUMBER: '17' });
    expect(auto.code, auto.stderr).toBe(0);
    // Run 17 reads group 17 mod 8 + 1 = 2 of 8.
    expect(JSON.parse(auto.stdout).packsSelected).toBe(packIds.filter((id) => parseInt(id.slice(0, 2), 16) % 8 === 1).length);
  });

  it('takes an exclusive lock, so that it refuses to run beside a backup, unless --no-lock', async () => {
    const repo = await copyOfBase('locked');
    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    const { RepositoryLock } = await import('../../src/engine/repository/lock.ts');
    const lock = await RepositoryLock.acquire(opened, { exclusive: false });
    try {
      const locked = await runCli(['check'], env(repo));
      expect(locked.code).toBe(11);
      const unlocked = await runCli(['check', '--no-lock'], env(repo));
      expect(unlocked.code, unlocked.stderr).toBe(0);
    } finally {
      await lock.release();
    }
    expect(await readdir(path.join(repo, 'locks'))).toEqual([]);
  });
});
