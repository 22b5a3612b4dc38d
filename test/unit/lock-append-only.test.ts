/**
 * Credentials that may write but not delete (an S3 policy without DeleteObject): a backup
 * still completes, keeping its lock files with a warning, and its lock refreshes still count;
 * forget and prune find out before they change anything. The refusal is injected by a
 * decorator over a real local repository: the S3 test server (Swift) cannot grant PUT
 * without DELETE, as its container ACLs give both or neither.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { backup, forget, prune } from '../../src/engine/index.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import type { Handle } from '../../src/engine/storage/backend.ts';
import { ForwardingBackend } from '../helpers/forwarding-backend.ts';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { CHEAP_KDF } from '../helpers/cheap-repository.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

/** Refuses every delete, as a bucket policy without s3:DeleteObject does. */
class NoDeletes extends ForwardingBackend {
  override remove(h: Handle): Promise<void> {
    return Promise.reject(new BackendError('denied', `remove ${h.type}/${h.name.slice(0, 8)}: access denied (HTTP 403 AccessDenied)`));
  }
}

describe('credentials that may not delete', () => {
  let dir: string;
  let repoDir: string;
  let source: string;

  const files = async (sub: string) => (await readdir(path.join(repoDir, sub), { recursive: true })).filter((n) => /[0-9a-f]{64}$/.test(n)).sort();

  beforeEach(async () => {
    dir = await makeTempDir('cv-append-only-');
    repoDir = path.join(dir, 'repo');
    source = path.join(dir, 'src');
    await mkdir(source);
    await writeFile(path.join(source, 'a.txt'), 'first\n');
    await Repository.init(new LocalBackend(repoDir), 'pw', { kdf: CHEAP_KDF });
  });
  afterEach(() => removeDir(dir));

  const appendOnly = () => Repository.open(new NoDeletes(new LocalBackend(repoDir)), 'pw');

  it('back up twice: each completes, keeps its lock file and says so once', async () => {
    for (const content of ['first\n', 'second\n']) {
      await writeFile(path.join(source, 'a.txt'), content);
      const warnings: string[] = [];
      const r = await backup(await appendOnly(), { targets: [source], baseDir: dir, hostname: 'h', onWarning: (w) => warnings.push(w) });
      expect(r.snapshotId).toMatch(/^[0-9a-f]{64}$/);
      expect(warnings.filter((w) => w.includes('may not delete'))).toHaveLength(1);
      expect(warnings[0]).toMatch(/^lock file [0-9a-f]{8} stays in the repository, as these credentials may not delete/);
    }
    expect(await files('snapshots')).toHaveLength(2);
    expect(await files('locks')).toHaveLength(2);
  });

  it('a refresh that may not delete the previous file still counts, so the lock is not lost', async () => {
    const repo = await appendOnly();
    const errors: unknown[] = [];
    const left: string[] = [];
    const lock = await RepositoryLock.acquire(repo, {
      exclusive: false,
      timing: { refreshMs: 30, lostAfterMs: 100 },
      onRefreshError: (e) => errors.push(e),
      onLeftBehind: (m) => left.push(m),
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(lock.lost.aborted).toBe(false);
    expect(errors).toEqual([]);
    await lock.release();
    const kept = await files('locks');
    expect(kept.length).toBeGreaterThan(2);
    // One warning at the end names every file kept.
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^lock files ([0-9a-f]{8}, )+[0-9a-f]{8} stay in the repository/);
    expect(left[0]!.match(/[0-9a-f]{8}/g)).toHaveLength(kept.length);
  });

  it('forget and prune fail before changing anything, naming what they need', async () => {
    const full = await Repository.open(new LocalBackend(repoDir), 'pw');
    for (const content of ['1\n', '2\n', '3\n']) {
      await writeFile(path.join(source, 'a.txt'), content);
      await backup(full, { targets: [source], baseDir: dir, hostname: 'h' });
    }
    const before = { snapshots: await files('snapshots'), data: await files('data'), index: await files('index') };
    await expect(forget(await appendOnly(), { policy: { keepLast: 1 } })).rejects.toThrow(/^forget needs credentials that may delete files, and the storage refused to delete a lock file/);
    await expect(prune(await appendOnly(), {})).rejects.toThrow(/^prune needs credentials that may delete files/);
    expect({ snapshots: await files('snapshots'), data: await files('data'), index: await files('index') }).toEqual(before);
    // What the refusals leave is shared locks, which keep no backup out.
    await writeFile(path.join(source, 'a.txt'), '4\n');
    await expect(backup(await appendOnly(), { targets: [source], baseDir: dir, hostname: 'h' })).resolves.toMatchObject({ errors: [] });
  });
});
