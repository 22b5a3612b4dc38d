/**
 * The action's forget and prune modes, driven as GitHub drives them, and the locking
 * between them and backups: a backup waits for a prune's exclusive lock (lock-wait) or
 * fails saying why, and a prune never runs beside a backup.
 */
import { writeFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { runAction } from '../helpers/action.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'forget-prune-secret';

describe('the action in forget and prune modes', () => {
  let workspace: string;
  const ids: string[] = [];
  const base = () => ({ repository: 'repo', password: PASSWORD });
  const snapshotCount = async () => (await readdir(path.join(workspace, 'repo', 'snapshots'))).length;

  beforeAll(async () => {
    assertResticInstalled();
    workspace = await makeTempDir('forget-prune');
    // Four nightly backups; each replaces a 2 MiB file, so older snapshots hold data no newer one has.
    for (let night = 0; night < 4; night++) {
      await writeFile(path.join(workspace, 'nightly.bin'), pseudoRandomBytes(2 * 1024 * 1024, 100 + night));
      await writeFile(path.join(workspace, 'stable.txt'), 'always the same\n');
      const run = await runAction({ ...base(), source: 'nightly.bin\nstable.txt', tags: 'nightly' }, workspace);
      expect(run.code, run.stdout).toBe(0);
      ids.push(run.outputs['snapshot-id']!);
    }
  }, 120_000);
  afterAll(() => removeDir(workspace));

  it('refuses an empty retention policy', async () => {
    const run = await runAction({ ...base(), mode: 'forget' }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('the retention policy is empty');
    // A bad input is not an empty summary: the step's failure and the input's message.
    expect(run.summary).toMatch(/❌ forget failed[\s\S]*the retention policy is empty[\s\S]*Change the input the message names/);
    expect(await snapshotCount()).toBe(4);
  });

  it('a dry run reports the decisions and removes nothing', async () => {
    const run = await runAction({ ...base(), mode: 'forget', 'keep-last': '2', 'dry-run': 'true', prune: 'true' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs['removed-snapshots']!).sort()).toEqual(ids.slice(0, 2).sort());
    expect(run.outputs['removed-count']).toBe('2');
    expect(run.outputs['packs-deleted']).toBe('0');
    expect(run.stdout).toContain('would free');
    expect(run.summary).toContain('would remove');
    expect(await snapshotCount()).toBe(4);
  });

  it('forgets by policy and prunes: outputs, summary with the rule that kept each snapshot, restic check passes', async () => {
    const run = await runAction({ ...base(), mode: 'forget', 'keep-last': '2', 'keep-tag': 'release', prune: 'true' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs['removed-snapshots']!).sort()).toEqual(ids.slice(0, 2).sort());
    expect(JSON.parse(run.outputs['kept-snapshots']!).sort()).toEqual(ids.slice(2).sort());
    expect(run.outputs['removed-count']).toBe('2');
    expect(Number(run.outputs['packs-deleted'])).toBeGreaterThan(0);
    // Two 2 MiB files of random data are gone.
    expect(Number(run.outputs['bytes-freed'])).toBeGreaterThan(3.5 * 1024 * 1024);
    expect(run.summary).toContain('kept: last snapshot');
    expect(run.summary).toContain(ids[0]!.slice(0, 8));
    expect(run.summary).toContain('removed');
    expect(run.summary).toContain('Freed');
    // The log: the policy's decisions in the forget group, then the prune in its own group.
    const groups = [...run.stdout.matchAll(/^::group::(.*)$([\s\S]*?)^::endgroup::$/gm)].map((m) => ({ title: m[1]!, body: m[2]! }));
    const forgetGroup = groups.find((g) => g.title.startsWith('Applying the retention policy'));
    const pruneGroup = groups.find((g) => g.title.startsWith('Pruning'));
    expect(forgetGroup?.body).toContain('policy: keep');
    expect(forgetGroup?.body).not.toContain('freed');
    expect(pruneGroup?.body).toMatch(/snapshot\(s\) use [\s\S]*deleted \d+ pack\(s\).*freed/);
    expect(groups.indexOf(forgetGroup!)).toBeLessThan(groups.indexOf(pruneGroup!));
    expect(await snapshotCount()).toBe(2);
    const checked = await runRestic(['check', '--read-data'], { repo: path.join(workspace, 'repo'), password: PASSWORD, cacheDir: workspace });
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('no errors were found');
  }, 60_000);

  it('prune mode: a dry run plans, a real run finds nothing more to do', async () => {
    const dry = await runAction({ ...base(), mode: 'prune', 'dry-run': 'true', 'max-unused': '0%' }, workspace);
    expect(dry.code, dry.stdout).toBe(0);
    expect(dry.summary).toContain('prune plan (dry run)');
    const run = await runAction({ ...base(), mode: 'prune' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['packs-deleted']).toBe('0');
    const bad = await runAction({ ...base(), mode: 'prune', 'max-unused': 'lots' }, workspace);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain("input 'max-unused'");
  }, 60_000);

  it('a backup fails at once on a prune lock with lock-wait 0, and waits for it with lock-wait', async () => {
    const repo = await Repository.open(new LocalBackend(path.join(workspace, 'repo')), PASSWORD);
    const pruneLock = await RepositoryLock.acquire(repo, { exclusive: true });
    try {
      const failed = await runAction({ ...base(), source: 'stable.txt', 'lock-wait': '0' }, workspace);
      expect(failed.code).not.toBe(0);
      expect(failed.stdout).toContain('repository is locked: an exclusive lock');
      expect(failed.stdout).toContain('set lock-wait to wait for it');
      const waiting = runAction({ ...base(), source: 'stable.txt', 'lock-wait': '2m' }, workspace);
      await new Promise((r) => setTimeout(r, 3000));
      await pruneLock.release();
      const run = await waiting;
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs['snapshot-id']).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await pruneLock.release();
    }
  }, 120_000);

  it('a prune does not start while a backup holds its lock', async () => {
    const repo = await Repository.open(new LocalBackend(path.join(workspace, 'repo')), PASSWORD);
    const backupLock = await RepositoryLock.acquire(repo, { exclusive: false });
    try {
      const run = await runAction({ ...base(), mode: 'prune', 'lock-wait': '1s' }, workspace);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toContain('repository is locked');
      expect(run.stdout).toContain('this operation needs the repository to itself');
      expect(run.stdout).toContain('waited 1.0 s');
    } finally {
      await backupLock.release();
    }
  }, 60_000);
});
