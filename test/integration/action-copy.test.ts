/**
 * The action's copy mode as a 3-2-1 workflow runs it: backups go to a repository on the
 * runner, then `mode: copy` sends them offsite to a REST server (rclone serve restic),
 * creating the offsite repository with the local one's chunker parameters. restic 0.14
 * checks the copy (--read-data) and restores it byte for byte.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { sharedRestServer, type SharedRestServer } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { compareTrees } from '../helpers/tree.ts';

const LOCAL_PASSWORD = 'local-copy-secret';
const OFFSITE_PASSWORD = 'offsite-copy-secret';

/** The runner hides a value once `::add-mask::` names it; it must appear nowhere else. */
function expectMasked(log: string, secret: string): void {
  expect(log).toContain(`::add-mask::${secret}\n`);
  expect(log.split(`::add-mask::${secret}\n`).join('')).not.toContain(secret);
}

describe('the action in copy mode', () => {
  let workspace: string;
  let server: SharedRestServer;
  let offsite: string;
  const base = () => ({ repository: 'backups/local', password: LOCAL_PASSWORD });
  const copyInputs = () => ({ ...base(), mode: 'copy', 'copy-repository': offsite, 'copy-password': OFFSITE_PASSWORD });
  const resticOffsite = (args: string[]) => restic(args, { repo: offsite, password: OFFSITE_PASSWORD, cacheDir: workspace });

  beforeAll(async () => {
    assertResticInstalled();
    workspace = await makeTempDir('action-copy');
    server = await sharedRestServer();
    offsite = server.repository('action-copy-offsite');
    await mkdir(path.join(workspace, 'data'));
    await writeFile(path.join(workspace, 'data', 'big.bin'), pseudoRandomBytes(3 * 1024 * 1024, 5));
    await writeFile(path.join(workspace, 'data', 'notes.txt'), 'first night\n');
    for (const night of ['one', 'two']) {
      await writeFile(path.join(workspace, 'data', `${night}.txt`), `${night}\n`);
      const run = await runAction({ ...base(), source: 'data', tags: 'nightly' }, workspace);
      expect(run.code, run.stdout).toBe(0);
    }
  });
  afterAll(() => removeDir(workspace));

  it('creates the offsite repository with the local chunker parameters and copies every snapshot', async () => {
    const run = await runAction(copyInputs(), workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['snapshots-copied']).toBe('2');
    expect(run.outputs['snapshots-skipped']).toBe('0');
    expect(Number(run.outputs['bytes-added'])).toBeGreaterThan(3 * 1024 * 1024);
    expect(run.stdout).toContain('no repository at');
    expect(run.stdout).toMatch(/snapshot \w{8} of .*: copied to snapshot \w{8}/);
    expect(run.summary).toContain('copy: 2 snapshot(s) copied, 0 skipped');
    expectMasked(run.stdout, OFFSITE_PASSWORD);
    expectMasked(run.stdout, LOCAL_PASSWORD);

    const local = path.join(workspace, 'backups', 'local');
    const localConfig = JSON.parse(await restic(['cat', 'config'], { repo: local, password: LOCAL_PASSWORD, cacheDir: workspace }));
    const offsiteConfig = JSON.parse(await resticOffsite(['cat', 'config']));
    expect(offsiteConfig.chunker_polynomial).toBe(localConfig.chunker_polynomial);
    await resticOffsite(['check', '--read-data']);
    const snapshots = JSON.parse(await resticOffsite(['snapshots', '--json'])) as { id: string; original?: string; tags?: string[] }[];
    expect(snapshots).toHaveLength(2);
    expect(snapshots.every((s) => s.original && s.tags?.includes('nightly'))).toBe(true);
    const newest = snapshots[snapshots.length - 1]!;
    const target = path.join(workspace, 'restored');
    await resticOffsite(['restore', newest.id, '--target', target]);
    const data = path.join(workspace, 'data');
    expect(await compareTrees(data, path.join(target, data))).toEqual([]);
  });

  it('a second run copies only the new snapshot and skips the others', async () => {
    await writeFile(path.join(workspace, 'data', 'three.txt'), 'three\n');
    expect((await runAction({ ...base(), source: 'data', tags: 'nightly' }, workspace)).code).toBe(0);
    const run = await runAction(copyInputs(), workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['snapshots-copied']).toBe('1');
    expect(run.outputs['snapshots-skipped']).toBe('2');
    expect(run.stdout).toMatch(/skipped, already copied to snapshot \w{8}/);
    await resticOffsite(['check']);
  });

  it('with init: false a missing destination fails naming the inputs, and is not created', async () => {
    const dest = path.join(workspace, 'not-there');
    const run = await runAction({ ...copyInputs(), 'copy-repository': dest, init: 'false' }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/::error::input 'copy-repository': no repository at .*: check it, or set 'init: true' to create one/);
    await expect(readdir(dest)).rejects.toThrow(/ENOENT/);
  });

  it('a wrong source password fails naming the password input, and creates no destination', async () => {
    const dest = path.join(workspace, 'never-created');
    const run = await runAction({ ...copyInputs(), password: 'not the local password', 'copy-repository': dest }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/::error::wrong password.*: check the input 'password' \(the secret it comes from\)/);
    await expect(readdir(dest)).rejects.toThrow(/ENOENT/);
  });

  it('a wrong destination password fails naming copy-password, and writes nothing there', async () => {
    const dest = path.join(workspace, 'other-offsite');
    expect((await runAction({ ...copyInputs(), 'copy-repository': dest, 'copy-password': 'right one' }, workspace)).code).toBe(0);
    const before = (await readdir(dest, { recursive: true })).sort();
    const run = await runAction({ ...copyInputs(), 'copy-repository': dest, 'copy-password': 'wrong one' }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/::error::input 'copy-repository': wrong password.*: check the input 'copy-password'/);
    expect((await readdir(dest, { recursive: true })).sort()).toEqual(before);
  });
});
