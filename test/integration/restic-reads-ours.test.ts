/**
 * The core promise, one way round: restic 0.14 checks, lists and restores what chunkvault
 * writes, byte for byte.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { restic } from '../helpers/restic.ts';
import { buildVariedTree, compareTrees } from '../helpers/tree.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'interop password';

describe('a repository written by chunkvault, read by restic 0.14', () => {
  let dir: string;
  let source: string;
  let repo: string;
  let snapshotId: string;
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });
  const resticOpts = () => ({ repo, password: PASSWORD, cacheDir: dir });

  beforeAll(async () => {
    dir = await makeTempDir('interop');
    source = path.join(dir, 'source');
    repo = path.join(dir, 'repo');
    await mkdir(source);
    await buildVariedTree(source);
    const init = await runCli(['init'], env());
    expect(init.code, init.stderr).toBe(0);
    const backup = await runCli(['backup', '--json', '--host', 'ci-host', '--tag', 'nightly,interop', source], env());
    expect(backup.code, backup.stderr).toBe(0);
    snapshotId = JSON.parse(backup.stdout).snapshot_id;
  });

  afterAll(() => removeDir(dir));

  it('passes restic check --read-data with no errors and no hints', async () => {
    const out = await restic(['--no-cache', 'check', '--read-data'], resticOpts());
    expect(out).toContain('no errors were found');
    expect(out).not.toMatch(/hint|error:|warning/i);
  });

  it('lists our snapshot in restic snapshots --json with its host, tags and paths', async () => {
    const list = JSON.parse(await restic(['snapshots', '--json'], resticOpts()));
    expect(list).toHaveLength(1);
    expect(list[0].id).toBe(snapshotId);
    expect(list[0].hostname).toBe('ci-host');
    expect(list[0].tags).toEqual(['nightly', 'interop']);
    expect(list[0].paths).toEqual([source]);
  });

  it('restores with restic restore latest to the same bytes, modes, link targets and mtimes', async () => {
    const target = path.join(dir, 'restored');
    await restic(['restore', 'latest', '--target', target], resticOpts());
    const problems = await compareTrees(source, path.join(target, source));
    expect(problems).toEqual([]);
  });
});
