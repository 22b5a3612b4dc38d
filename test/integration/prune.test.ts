/**
 * Prune, both ways with restic 0.14: chunkvault prunes what restic wrote and what it wrote
 * itself, restic prunes what chunkvault wrote; after each, `restic check --read-data`
 * passes and every remaining snapshot restores byte for byte. A dry run changes nothing,
 * and a damaged repository is refused before anything is deleted.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE_PASSWORD, makeHistory, repositoryFingerprint, resticCheck, verifySnapshotsRestore, type HistoryFixture } from '../helpers/prune-fixture.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const ENV = { CHUNKVAULT_PASSWORD: FIXTURE_PASSWORD, TZ: 'UTC' };

async function copyRepo(from: string, to: string): Promise<void> {
  await fs.cp(from, to, { recursive: true, preserveTimestamps: true });
}

interface PruneJson {
  dry_run: boolean;
  packs_deleted: number;
  packs_repacked: number;
  bytes_freed: number;
  plan: { remove: string[]; repack: string[]; remove_unreferenced: string[] };
}

describe('prune', () => {
  let dir: string;
  let ours: HistoryFixture;
  let theirs: HistoryFixture;

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-prune-');
    ours = await makeHistory(path.join(dir, 'ours'), 'chunkvault');
    theirs = await makeHistory(path.join(dir, 'theirs'), 'restic');
    // The first snapshot goes: its big file's packs become unused, shared packs partly used.
    for (const f of [ours, theirs]) {
      const first = [...f.expected.keys()][0]!;
      await restic(['forget', first], { repo: f.repo, password: FIXTURE_PASSWORD, cacheDir: path.dirname(f.repo) });
    }
  }, 180_000);
  afterAll(() => removeDir(dir));

  for (const [name, pick] of [
    ['a repository chunkvault wrote', () => ours],
    ['a repository restic wrote', () => theirs],
  ] as const) {
    it(`chunkvault prunes ${name}: restic check --read-data passes and every snapshot restores`, async () => {
      const fixture = pick();
      const work = await makeTempDir('cv-prune-case-');
      try {
        const repo = path.join(work, 'repo');
        await copyRepo(fixture.repo, repo);
        const sizeBefore = await dirSize(repo);
        const r = await runCli(['-r', repo, '--json', 'prune'], ENV, work);
        expect(r.stderr).not.toContain('Error');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as PruneJson;
        expect(out.dry_run).toBe(false);
        expect(out.packs_deleted).toBeGreaterThan(0);
        // The 12 MiB file of the forgotten snapshot is gone from the repository.
        expect(out.bytes_freed).toBeGreaterThan(10 * 1024 * 1024);
        expect(sizeBefore - (await dirSize(repo))).toBe(out.bytes_freed);

        const checked = await resticCheck({ repo, cacheDir: work });
        expect(checked.output).toContain('no errors were found');
        expect(checked.code).toBe(0);
        expect(await verifySnapshotsRestore({ ...fixture, repo }, work, { repo, cacheDir: work })).toEqual([]);

        // Nothing left to do: a second prune deletes nothing.
        const again = JSON.parse((await runCli(['-r', repo, '--json', 'prune'], ENV, work)).stdout) as PruneJson;
        expect(again.packs_deleted).toBe(0);
        expect(again.packs_repacked).toBe(0);
        // And our own check agrees with restic's.
        const ourCheck = await runCli(['-r', repo, 'check', '--read-data'], ENV, work);
        expect(ourCheck.stdout).toContain('no errors were found');
        expect(ourCheck.code).toBe(0);
      } finally {
        await removeDir(work);
      }
    }, 120_000);
  }

  it('restic prunes a repository chunkvault wrote, and chunkvault still reads it', async () => {
    const work = await makeTempDir('cv-prune-restic-');
    try {
      const repo = path.join(work, 'repo');
      await copyRepo(ours.repo, repo);
      await restic(['prune'], { repo, password: FIXTURE_PASSWORD, cacheDir: work });
      const ourCheck = await runCli(['-r', repo, 'check', '--read-data'], ENV, work);
      expect(ourCheck.stdout).toContain('no errors were found');
      expect(ourCheck.code).toBe(0);
      // chunkvault restores each remaining snapshot.
      for (const [id, files] of ours.expected) {
        const list = JSON.parse((await runCli(['-r', repo, '--json', 'snapshots'], ENV, work)).stdout) as { id: string }[];
        if (!list.some((s) => s.id === id)) continue;
        const target = path.join(work, `r-${id.slice(0, 8)}`);
        const r = await runCli(['-r', repo, 'restore', id, '--target', target], ENV, work);
        expect(r.code, r.stderr).toBe(0);
        const src = path.join(path.dirname(ours.repo), 'src');
        const { fileHashes } = await import('../helpers/prune-fixture.ts');
        expect(Object.fromEntries(await fileHashes(path.join(target, src)))).toEqual(Object.fromEntries(files));
      }
    } finally {
      await removeDir(work);
    }
  }, 120_000);

  it('a dry run prints the plan and changes nothing', async () => {
    const work = await makeTempDir('cv-prune-dry-');
    try {
      const repo = path.join(work, 'repo');
      await copyRepo(theirs.repo, repo);
      const before = await repositoryFingerprint(repo);
      const text = await runCli(['-r', repo, 'prune', '--dry-run'], ENV, work);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/would delete \d+ pack\(s\), would repack \d+/);
      expect(text.stdout).toContain('dry run: nothing was changed');
      const json = JSON.parse((await runCli(['-r', repo, '--json', 'prune', '-n'], ENV, work)).stdout) as PruneJson;
      expect(json.dry_run).toBe(true);
      expect(json.plan.remove.length + json.plan.repack.length).toBeGreaterThan(0);
      expect(json.bytes_freed).toBeGreaterThan(10 * 1024 * 1024);
      expect(await repositoryFingerprint(repo)).toBe(before);
    } finally {
      await removeDir(work);
    }
  }, 60_000);

  it('max-unused unlimited deletes unused packs but repacks nothing', async () => {
    const work = await makeTempDir('cv-prune-unl-');
    try {
      const repo = path.join(work, 'repo');
      await copyRepo(theirs.repo, repo);
      const json = JSON.parse((await runCli(['-r', repo, '--json', 'prune', '-n', '--max-unused', 'unlimited'], ENV, work)).stdout) as PruneJson;
      // Tree packs are still repacked when they hold unused trees (restic does the same);
      // partly used data packs are not.
      const full = JSON.parse((await runCli(['-r', repo, '--json', 'prune', '-n', '--max-unused', '0%'], ENV, work)).stdout) as PruneJson;
      expect(json.plan.repack.length).toBeLessThanOrEqual(full.plan.repack.length);
      expect(json.bytes_freed).toBeLessThanOrEqual(full.bytes_freed);
      const bad = await runCli(['-r', repo, 'prune', '--max-unused', '120%'], ENV, work);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('below 100%');
    } finally {
      await removeDir(work);
    }
  }, 60_000);

  it('refuses to prune a repository that is missing data a snapshot needs, and changes nothing', async () => {
    const work = await makeTempDir('cv-prune-dmg-');
    try {
      const repo = path.join(work, 'repo');
      await copyRepo(theirs.repo, repo);
      // Delete one index file: the blobs it listed look unused to a careless prune.
      const indexes = await fs.readdir(path.join(repo, 'index'));
      await fs.rm(path.join(repo, 'index', indexes.sort()[0]!));
      const before = await repositoryFingerprint(repo);
      const r = await runCli(['-r', repo, 'prune'], ENV, work);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/not in the index|missing/);
      expect(r.stderr).toContain('Prune stopped before changing anything');
      expect(await repositoryFingerprint(repo)).toBe(before);
    } finally {
      await removeDir(work);
    }
  }, 60_000);
});

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}
