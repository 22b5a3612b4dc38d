/**
 * `chunkvault copy` and `init --copy-chunker-params` against restic 0.14, both ways: the
 * source is written by restic, the copies are checked by restic (check --read-data) and
 * restored by restic byte for byte beside restic's own restore of the source; restic copies
 * from our copy, and then each side skips what the other copied, as restic's rule says.
 * The destinations are local, REST (rclone serve restic) and S3.
 */
import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, restic, runRestic } from '../helpers/restic.ts';
import { sharedRestServer, sharedS3Server, type SharedRestServer } from '../helpers/shared-servers.ts';
import type { S3Endpoint } from '../helpers/s3-server.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree, compareTrees } from '../helpers/tree.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const SOURCE_PASSWORD = 'copy source password';
const DEST_PASSWORD = 'copy destination password';
const BIG_FILE_BYTES = 6 * 1024 * 1024;

interface ResticSnapshot {
  id: string;
  time: string;
  tree: string;
  parent?: string;
  original?: string;
  paths: string[];
  tags?: string[];
}

describe('copy between repositories, checked by restic 0.14', () => {
  let dir: string;
  let data: string;
  let sourceRepo: string;
  let sourcePasswordFile: string;
  let sourceSnapshots: ResticSnapshot[];
  let rest: SharedRestServer;

  const resticOn = (repo: string, password: string, args: string[], env?: Record<string, string>) => restic(args, { repo, password, cacheDir: dir, env });
  const snapshotsOf = async (repo: string, password: string, env?: Record<string, string>): Promise<ResticSnapshot[]> =>
    JSON.parse(await resticOn(repo, password, ['snapshots', '--json'], env)) as ResticSnapshot[];
  const cli = (repo: string, args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
    runCli(['-r', repo, ...args], { RESTIC_PASSWORD: DEST_PASSWORD, CHUNKVAULT_CACHE_DIR: path.join(dir, 'cv-cache'), ...extra }, dir);
  const fromSource = ['--from-repo', '', '--from-password-file', ''];
  const sourceFlags = () => {
    fromSource[1] = sourceRepo;
    fromSource[3] = sourcePasswordFile;
    return fromSource;
  };
  /** restic restores `snapshot` from both repositories; the two trees must be identical. */
  const expectSameRestore = async (destRepo: string, destSnapshot: ResticSnapshot, sourceId: string, env?: Record<string, string>) => {
    const fromSourceDir = await makeTempDir('copy-restore-src');
    const fromDestDir = await makeTempDir('copy-restore-dst');
    await resticOn(sourceRepo, SOURCE_PASSWORD, ['restore', sourceId, '--target', fromSourceDir]);
    await resticOn(destRepo, DEST_PASSWORD, ['restore', destSnapshot.id, '--target', fromDestDir], env);
    try {
      expect(await compareTrees(path.join(fromSourceDir, data), path.join(fromDestDir, data))).toEqual([]);
    } finally {
      await removeDir(fromSourceDir);
      await removeDir(fromDestDir);
    }
  };

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('copy');
    data = path.join(dir, 'data');
    await mkdir(data);
    await buildVariedTree(data, { bigFileBytes: BIG_FILE_BYTES });
    sourceRepo = path.join(dir, 'source-by-restic');
    sourcePasswordFile = path.join(dir, 'source-password');
    await writeFile(sourcePasswordFile, `${SOURCE_PASSWORD}\n`);
    // Two snapshots by restic: the second after a change, with a tag, written at UTC+05:30.
    await initCheapRepository(sourceRepo, SOURCE_PASSWORD);
    await resticOn(sourceRepo, SOURCE_PASSWORD, ['backup', '--host', 'copy-host', data]);
    await appendFile(path.join(data, 'hello.txt'), 'changed after the first snapshot\n');
    await writeFile(path.join(data, 'new-big.bin'), pseudoRandomBytes(2 * 1024 * 1024, 77));
    await resticOn(sourceRepo, SOURCE_PASSWORD, ['backup', '--host', 'copy-host', '--tag', 'second', data], { TZ: 'Asia/Kolkata' });
    sourceSnapshots = await snapshotsOf(sourceRepo, SOURCE_PASSWORD);
    expect(sourceSnapshots).toHaveLength(2);
    expect(sourceSnapshots.find((s) => s.tags?.includes('second'))!.time).toMatch(/\+05:30$/);
    rest = await sharedRestServer();
  });

  afterAll(() => removeDir(dir));

  describe('into a local repository created with the source chunker parameters', () => {
    let dest: string;

    beforeAll(async () => {
      dest = path.join(dir, 'dest-local');
      const init = await cli(dest, ['init', ...sourceFlags(), '--copy-chunker-params']);
      expect(init.code, init.stderr).toBe(0);
    });

    it('init --copy-chunker-params gives the destination the source chunker polynomial (restic cat config)', async () => {
      const sourceConfig = JSON.parse(await resticOn(sourceRepo, SOURCE_PASSWORD, ['cat', 'config']));
      const destConfig = JSON.parse(await resticOn(dest, DEST_PASSWORD, ['cat', 'config']));
      expect(destConfig.chunker_polynomial).toBe(sourceConfig.chunker_polynomial);
      expect(destConfig.id).not.toBe(sourceConfig.id);
    });

    it('copies every snapshot; restic check --read-data passes and each copy restores as the source does', async () => {
      const r = await cli(dest, ['copy', ...sourceFlags()]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('2 snapshot(s) copied, 0 skipped');
      expect(r.stderr).toMatch(new RegExp(`snapshot ${sourceSnapshots[0]!.id.slice(0, 8)} of .*: copied to snapshot`));
      await resticOn(dest, DEST_PASSWORD, ['check', '--read-data']);
      const copies = await snapshotsOf(dest, DEST_PASSWORD);
      expect(copies.map((c) => c.original).sort()).toEqual(sourceSnapshots.map((s) => s.id).sort());
      for (const c of copies) {
        const original = sourceSnapshots.find((s) => s.id === c.original)!;
        // Same tree id: the tree blobs were copied as they are; the parent is dropped, as restic does.
        expect(c.tree).toBe(original.tree);
        expect(c.parent).toBeUndefined();
        expect(c.tags ?? []).toEqual(original.tags ?? []);
        // The time as the source wrote it, UTC offset included (restic keeps it; forget buckets by it).
        expect(c.time).toBe(original.time);
        await expectSameRestore(dest, c, original.id);
      }
      // The newest copy is the data as it is now.
      const latest = copies.find((c) => c.tags?.includes('second'))!;
      const target = path.join(dir, 'restore-latest-local');
      await resticOn(dest, DEST_PASSWORD, ['restore', latest.id, '--target', target]);
      expect(await compareTrees(data, path.join(target, data))).toEqual([]);
    });

    it('a second copy copies nothing and writes nothing', async () => {
      const before = await listRepository(dest);
      const r = await cli(dest, ['copy', ...sourceFlags()]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('0 snapshot(s) copied, 2 skipped');
      expect(r.stderr).toContain('skipped, already copied to snapshot');
      expect(await listRepository(dest)).toEqual(before);
    });

    it('a backup of the same data into the destination adds almost nothing (deduplication holds)', async () => {
      // --force: every file is read and chunked again, with the destination's polynomial.
      const r = await cli(dest, ['backup', '--json', '--force', '--host', 'copy-host', data]);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(summary.total_bytes_processed).toBeGreaterThan(BIG_FILE_BYTES);
      expect(summary.data_added).toBeLessThan(64 * 1024);
    });

    it('copies one snapshot by id prefix and latest with a tag filter, into a fresh repository', async () => {
      const fresh = path.join(dir, 'dest-selected');
      expect((await cli(fresh, ['init'])).code).toBe(0);
      const first = sourceSnapshots.find((s) => !s.tags?.includes('second'))!;
      const r = await cli(fresh, ['copy', ...sourceFlags(), first.id.slice(0, 8)]);
      expect(r.code, r.stderr).toBe(0);
      expect((await snapshotsOf(fresh, DEST_PASSWORD)).map((s) => s.original)).toEqual([first.id]);
      const latest = await cli(fresh, ['copy', ...sourceFlags(), '--tag', 'second', 'latest']);
      expect(latest.code, latest.stderr).toBe(0);
      expect(latest.stdout).toContain('1 snapshot(s) copied, 0 skipped');
      await resticOn(fresh, DEST_PASSWORD, ['check', '--read-data']);
    });

    it('restic copies from our copy, and then each side skips what the other copied', async () => {
      const third = path.join(dir, 'third-by-restic');
      const env = { RESTIC_FROM_PASSWORD: DEST_PASSWORD };
      await resticOn(third, SOURCE_PASSWORD, ['init', '--from-repo', dest, '--copy-chunker-params'], env);
      await resticOn(third, SOURCE_PASSWORD, ['copy', '--from-repo', dest], env);
      await resticOn(third, SOURCE_PASSWORD, ['check', '--read-data']);
      const thirdSnapshots = await snapshotsOf(third, SOURCE_PASSWORD);
      // Our copies and the later backup; the copies keep the first source's id as original.
      expect(thirdSnapshots).toHaveLength(3);
      for (const s of sourceSnapshots) expect(thirdSnapshots.map((t) => t.original)).toContain(s.id);

      const thirdPasswordFile = path.join(dir, 'third-password');
      await writeFile(thirdPasswordFile, SOURCE_PASSWORD);
      // From our repository: all three are skipped (restic kept our ids as originals).
      const back = await runCli(['-r', third, 'copy', '--from-repo', dest], {
        RESTIC_PASSWORD: SOURCE_PASSWORD,
        RESTIC_FROM_PASSWORD: DEST_PASSWORD,
        CHUNKVAULT_CACHE_DIR: path.join(dir, 'cv-cache'),
      });
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain('0 snapshot(s) copied, 3 skipped');
      // From the first source: restic skips both, and so do we.
      const resticRun = await runRestic(['copy', '--from-repo', sourceRepo, '--from-password-file', sourcePasswordFile], {
        repo: third,
        password: SOURCE_PASSWORD,
        cacheDir: dir,
      });
      expect(resticRun.code, resticRun.stderr).toBe(0);
      expect(resticRun.stdout.match(/skipping source snapshot/g)).toHaveLength(2);
      const ours = await runCli(['-r', third, '-p', thirdPasswordFile, 'copy', ...sourceFlags()], { CHUNKVAULT_CACHE_DIR: path.join(dir, 'cv-cache') });
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout).toContain('0 snapshot(s) copied, 2 skipped');
      expect(await snapshotsOf(third, SOURCE_PASSWORD)).toHaveLength(3);
    });
  });

  it('into a REST repository: restic check --read-data passes, restores match, a second copy skips', async () => {
    const dest = rest.repository('copy-dest');
    const init = await cli(dest, ['init', ...sourceFlags(), '--copy-chunker-params']);
    expect(init.code, init.stderr).toBe(0);
    const r = await cli(dest, ['copy', ...sourceFlags()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 snapshot(s) copied, 0 skipped');
    expect(r.stdout + r.stderr).not.toContain(rest.password);
    await resticOn(dest, DEST_PASSWORD, ['check', '--read-data']);
    for (const c of await snapshotsOf(dest, DEST_PASSWORD)) await expectSameRestore(dest, c, c.original!);
    const again = await cli(dest, ['copy', ...sourceFlags()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 snapshot(s) copied, 2 skipped');
  });

  it('into an S3 repository: restic check --read-data passes and restores match', async () => {
    const s3: S3Endpoint = await sharedS3Server();
    const dest = `s3:${s3.rest('copy-dest', 'repo')}`;
    const s3Env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, RESTIC_CACERT: s3.caFile };
    const init = await cli(dest, ['init', ...sourceFlags(), '--copy-chunker-params'], s3Env);
    expect(init.code, init.stderr).toBe(0);
    const r = await cli(dest, ['copy', ...sourceFlags()], s3Env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 snapshot(s) copied, 0 skipped');
    const resticEnv = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const withCa = (args: string[]) => resticOn(dest, DEST_PASSWORD, ['--cacert', s3.caFile, ...args], resticEnv);
    await withCa(['check', '--read-data']);
    const copies = JSON.parse(await withCa(['snapshots', '--json'])) as ResticSnapshot[];
    expect(copies).toHaveLength(2);
    for (const c of copies) {
      const target = path.join(dir, `restore-s3-${c.id.slice(0, 8)}`);
      const sourceTarget = path.join(dir, `restore-s3-src-${c.id.slice(0, 8)}`);
      await withCa(['restore', c.id, '--target', target]);
      await resticOn(sourceRepo, SOURCE_PASSWORD, ['restore', c.original!, '--target', sourceTarget]);
      expect(await compareTrees(path.join(sourceTarget, data), path.join(target, data))).toEqual([]);
    }
  });

  describe('a wrong source password', () => {
    let wrongFile: string;
    beforeAll(async () => {
      wrongFile = path.join(dir, 'wrong-password');
      await writeFile(wrongFile, 'not the password\n');
    });

    it('copy says so, naming --from-password-file, and writes nothing to the destination', async () => {
      const dest = path.join(dir, 'dest-untouched');
      expect((await cli(dest, ['init'])).code).toBe(0);
      const before = await listRepository(dest);
      const r = await cli(dest, ['copy', '--from-repo', sourceRepo, '--from-password-file', wrongFile]);
      expect(r.code).toBe(12);
      expect(r.stderr).toContain('source repository: wrong password');
      expect(r.stderr).toContain('--from-password-file');
      expect(r.stderr).not.toContain('    at ');
      expect(await listRepository(dest)).toEqual(before);
    });

    it('init with --from-repo but without --copy-chunker-params is refused, as restic refuses it', async () => {
      const dest = path.join(dir, 'dest-refused');
      const r = await cli(dest, ['init', '--from-repo', sourceRepo, '--from-password-file', sourcePasswordFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--copy-chunker-params');
      await expect(readdir(dest)).rejects.toThrow(/ENOENT/);
    });

    it('init --copy-chunker-params says so and creates nothing', async () => {
      const dest = path.join(dir, 'dest-never-created');
      const r = await cli(dest, ['init', '--from-repo', sourceRepo, '--from-password-file', wrongFile, '--copy-chunker-params']);
      expect(r.code).toBe(12);
      expect(r.stderr).toContain('--from-password-file');
      await expect(readdir(dest)).rejects.toThrow(/ENOENT/);
    });
  });
});

/** Every file of a local repository (locks included), for "nothing was written". */
async function listRepository(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}
