/**
 * Interoperability over the REST protocol, against a real `rclone serve restic` with basic
 * auth: restic 0.14 checks (--read-data) and restores byte for byte what chunkvault wrote
 * there, and chunkvault restores and checks what restic wrote there. The chunkvault side
 * runs through its CLI, as a user would, with its metadata cache on.
 */
import { mkdir, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { NODE_TIME_TOLERANCE_NS } from '../helpers/restore.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { sharedRestServer, type SharedRestServer } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree, compareTrees } from '../helpers/tree.ts';

const PASSWORD = 'rest interop password';

describe('REST repositories shared by chunkvault and restic 0.14 (rclone serve restic)', () => {
  let dir: string;
  let source: string;
  // The run's shared server, whose HTTP password has characters that must be percent-encoded in a URL.
  let server: SharedRestServer;
  const repoUrl = (name: string) => server.repository(`rest-interop-${name}`);
  const cli = async (name: string, args: string[]): Promise<CliResult> => {
    const r = await runCli(args, {
      RESTIC_REPOSITORY: repoUrl(name),
      RESTIC_PASSWORD: PASSWORD,
      CHUNKVAULT_CACHE_DIR: path.join(dir, 'chunkvault-cache'),
    });
    // The HTTP password never shows, in any output.
    expect(r.stdout + r.stderr).not.toContain(server.password);
    expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(server.password));
    return r;
  };
  const resticOpts = (name: string) => ({ repo: repoUrl(name), password: PASSWORD, cacheDir: dir });

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('rest-interop');
    source = path.join(dir, 'source');
    await mkdir(source);
    await buildVariedTree(source, { bigFileBytes: 12 * 1024 * 1024 });
    server = await sharedRestServer();
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  describe('written by chunkvault', () => {
    let snapshotId: string;

    beforeAll(async () => {
      const init = await cli('ours', ['init']);
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toContain(`rest:http://${server.user}:***@`);
      const backup = await cli('ours', ['backup', '--json', '--host', 'rest-host', source]);
      expect(backup.code, backup.stderr).toBe(0);
      snapshotId = JSON.parse(backup.stdout).snapshot_id;
    });

    it('passes restic check --read-data', async () => {
      const out = await restic(['--no-cache', 'check', '--read-data'], resticOpts('ours'));
      expect(out).toContain('no errors were found');
      expect(out).not.toMatch(/hint|error:|warning/i);
    });

    it('restores with restic restore to the same bytes, modes, link targets and mtimes', async () => {
      const target = path.join(dir, 'restic-restored');
      await restic(['restore', snapshotId, '--target', target], resticOpts('ours'));
      expect(await compareTrees(source, path.join(target, source))).toEqual([]);
    });

    it('backs up again over REST using the parent, and the cache holds the index and snapshot files', async () => {
      const again = await cli('ours', ['backup', '--json', '--host', 'rest-host', source]);
      expect(again.code, again.stderr).toBe(0);
      const summary = JSON.parse(again.stdout);
      expect(summary.parent_id).toBe(snapshotId);
      expect(summary.files_unmodified).toBeGreaterThan(300);
      const cacheRoot = path.join(dir, 'chunkvault-cache');
      const [repoId] = (await readdir(cacheRoot)).filter((n) => /^[0-9a-f]{64}$/.test(n));
      const cachedSnapshots = (await readdir(path.join(cacheRoot, repoId!, 'snapshots'), { recursive: true })).filter((n) => /[0-9a-f]{64}$/.test(n));
      expect(cachedSnapshots).toHaveLength(2);
      const cachedIndex = (await readdir(path.join(cacheRoot, repoId!, 'index'), { recursive: true })).filter((n) => /[0-9a-f]{64}$/.test(n));
      expect(cachedIndex.length).toBeGreaterThanOrEqual(1);
    });

    it('checks, lists and drills over REST with the chunkvault CLI', async () => {
      const check = await cli('ours', ['check', '--read-data']);
      expect(check.code, check.stderr + check.stdout).toBe(0);
      const snapshots = await cli('ours', ['snapshots', '--json']);
      expect(snapshots.code, snapshots.stderr).toBe(0);
      expect(JSON.parse(snapshots.stdout)).toHaveLength(2);
      const drill = await cli('ours', ['drill', '--json', '--scratch', dir, '--max-snapshot-age', '1h']);
      expect(drill.code, drill.stderr + drill.stdout).toBe(0);
      expect(JSON.parse(drill.stdout).status).toBe('passed');
    });
  });

  describe('written by restic', () => {
    beforeAll(async () => {
      await restic(['init'], resticOpts('theirs'));
      await restic(['backup', '--host', 'restic-host', source], resticOpts('theirs'));
    });

    it('restores with chunkvault byte for byte, and verifies what it wrote', async () => {
      const target = path.join(dir, 'chunkvault-restored');
      const r = await cli('theirs', ['restore', 'latest', '--target', target, '--verify']);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(await compareTrees(source, path.join(target, source), { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual([]);
    });

    it('checks it with every pack read, finding no errors', async () => {
      const r = await cli('theirs', ['check', '--read-data', '--json']);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.errors).toEqual([]);
      expect(report.packsRead).toBe(report.packsChecked);
    });
  });
});
