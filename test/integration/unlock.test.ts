/**
 * `chunkvault unlock`: a prune killed with SIGKILL leaves its exclusive lock behind, which
 * blocks every backup; unlock removes it (its process is gone), keeps a lock whose process
 * is alive, and removes that one too only with --remove-all.
 */
import { writeFile, readdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
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
    expect((await cli(['init'])).code).toBe(0);
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
