/**
 * `chunkvault unlock`: a prune killed with SIGKILL leaves its exclusive lock behind, which
 * blocks every backup; unlock removes it (its process is gone), keeps a lock whose process
 * is alive, and removes that one too only with --remove-all. Lock files made in a workflow
 * run record it, so that a re-run removes the locks of its earlier attempt, and restic reads
 * past that field.
 */
import { writeFile, readdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { parseLock } from '../../src/engine/format/index.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { runAction } from '../helpers/action.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { restic as resticRun, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'unlock test';
const ENV = { CHUNKVAULT_PASSWORD: PASSWORD };

describe('chunkvault unlock', () => {
  let dir: string;
  let repo: string;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(['-r', repo, ...args], { ...ENV, ...extra }, dir);
  const locks = async () => (await readdir(path.join(repo, 'locks'))).filter((n) => /^[0-9a-f]{64}$/.test(n));

  beforeAll(async () => {
    dir = await makeTempDir('cv-unlock-');
    repo = path.join(dir, 'repo');
    await writeFile(path.join(dir, 'file.txt'), 'some data\n');
    await initCheapRepository(repo, PASSWORD);
    expect((await cli(['backup', path.join(dir, 'file.txt')])).code).toBe(0);
  }, 60_000);
  afterAll(() => removeDir(dir));

  it('removes the lock of a killed prune, which blocked backups', async () => {
    const killed = await cli(['prune'], { CHUNKVAULT_FAILPOINT: 'prune:planned:1' });
    expect(killed.signal).toBe('SIGKILL');
    expect(await locks()).toHaveLength(1);
    const blocked = await cli(['backup', path.join(dir, 'file.txt')]);
    expect(blocked.code).toBe(11);
    expect(blocked.stderr).toContain('`chunkvault unlock`');
    const r = await cli(['unlock']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/removed \w{8} exclusive lock/);
    expect(await locks()).toEqual([]);
    expect((await cli(['backup', path.join(dir, 'file.txt')])).code).toBe(0);
  }, 60_000);

  it('a CLI backup with --lock-wait waits for an exclusive lock to go away', async () => {
    const held = await RepositoryLock.acquire(await Repository.open(new LocalBackend(repo), PASSWORD), { exclusive: true });
    let released = false;
    try {
      const waiting = cli(['--lock-wait', '1m', 'backup', path.join(dir, 'file.txt')]);
      await new Promise((r) => setTimeout(r, 2500));
      released = true;
      await held.release();
      const r = await waiting;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/snapshot \w{8} saved/);
    } finally {
      if (!released) await held.release();
    }
  }, 90_000);

  it('keeps a live lock unless --remove-all', async () => {
    const live = await RepositoryLock.acquire(await Repository.open(new LocalBackend(repo), PASSWORD), { exclusive: false });
    try {
      const kept = await cli(['unlock']);
      expect(kept.stdout).toMatch(/kept \w{8} shared lock/);
      expect(await locks()).toEqual([live.id]);
      const all = await cli(['unlock', '--remove-all']);
      expect(all.stdout).toMatch(/removed \w{8} shared lock/);
      expect(await locks()).toEqual([]);
    } finally {
      await live.release();
    }
  }, 60_000);

  it('records the workflow run in its lock files; a re-run removes its earlier attempt\'s lock, never another run\'s live one', async () => {
    const run = (id: string, attempt: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'octo/app', GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt, GITHUB_JOB: 'backup' });
    // A prune of attempt 1 killed on another runner: its lock looks alive by restic's rules (fresh, another host).
    const killed = await cli(['prune'], { ...run('4242', '1'), CHUNKVAULT_FAILPOINT: 'prune:planned:1' });
    expect(killed.signal).toBe('SIGKILL');
    const [id] = await locks();
    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    const info = parseLock(await opened.loadUnpacked('lock', id!));
    expect(info.run).toEqual({ repository: 'octo/app', id: '4242', attempt: 1, job: 'backup' });
    await opened.backend.remove({ type: 'lock', name: id! });
    const json = `{"time":"${new Date().toISOString()}","exclusive":true,"hostname":"other-runner","username":"runner","pid":77,"chunkvault_run":{"repository":"octo/app","id":"4242","attempt":1,"job":"prune"}}`;
    const { id: earlier } = await opened.saveUnpacked('lock', new TextEncoder().encode(json));

    // restic 0.14 reads the lock (our field and all) and is kept out by it.
    const resticOpts = { repo, password: PASSWORD, cacheDir: dir };
    const blocked = await runRestic(['check'], resticOpts);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toMatch(/locked.*other-runner/s);

    const elsewhere = await cli(['unlock'], run('5000', '1'));
    expect(elsewhere.stdout).toMatch(/kept \w{8} exclusive lock of runner@other-runner \(pid 77, workflow run octo\/app#4242 attempt 1 job prune\)/);
    const sameAttempt = await cli(['unlock'], run('4242', '1'));
    expect(sameAttempt.stdout).toMatch(/^kept /m);
    const outside = await cli(['unlock']);
    expect(outside.stdout).toMatch(/^kept /m);
    expect(await locks()).toEqual([earlier]);

    const rerun = await cli(['unlock'], run('4242', '2'));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/^removed \w{8} exclusive lock of runner@other-runner/m);
    expect(await locks()).toEqual([]);
    expect(await resticRun(['check'], resticOpts)).toContain('no errors were found');
  }, 90_000);

  it('action mode unlock removes the lock of a process that is gone, keeps a live one, and removes it with remove-all', async () => {
    // A shared lock of this host whose process no longer exists: stale by restic's rule.
    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const staleJson = `{"time":"${new Date().toISOString()}","exclusive":false,"hostname":${JSON.stringify(hostname())},"username":"ci","pid":${gone}}`;
    const { id: stale } = await opened.saveUnpacked('lock', new TextEncoder().encode(staleJson));
    const live = await RepositoryLock.acquire(opened, { exclusive: false });
    expect((await locks()).sort()).toEqual([stale, live.id].sort());
    try {
      const action = (extra: Record<string, string> = {}) => runAction({ mode: 'unlock', repository: repo, password: PASSWORD, ...extra }, dir);
      const first = await action();
      expect(first.code, first.stdout).toBe(0);
      expect(JSON.parse(first.outputs['removed-locks']!)).toEqual([stale]);
      expect(JSON.parse(first.outputs['kept-locks']!)).toEqual([live.id]);
      expect(first.stdout).toMatch(/kept \w{8} shared lock .*remove-all: true removes it/);
      expect(first.summary).toContain('1 lock(s) removed, 1 kept');
      expect(await locks()).toEqual([live.id]);

      const all = await action({ 'remove-all': 'true' });
      expect(all.code, all.stdout).toBe(0);
      expect(JSON.parse(all.outputs['removed-locks']!)).toEqual([live.id]);
      expect(await locks()).toEqual([]);
    } finally {
      await live.release().catch(() => {});
    }
  }, 90_000);
});
