/**
 * Backups that fail part-way: cancelled at various moments, or with storage that breaks.
 * Each must reject with a typed error, leave no lock behind, and never crash the process
 * (vitest fails the run on an unhandled rejection).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import type { Handle, Payload } from '../../src/engine/storage/backend.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { ErrorCode } from '../../src/engine/errors.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { BlobEncoderPool } from '../../src/engine/blob-codec/encoder-pool.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const FAST_KDF = { N: 16384, r: 8, p: 1 };

class FailingBackend extends LocalBackend {
  failData = false;
  override async save(h: Handle, data: Payload): Promise<void> {
    if (this.failData && h.type === 'data') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    return super.save(h, data);
  }
}

describe('a backup that fails part-way', () => {
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = await makeTempDir('failures');
    source = path.join(dir, 'src');
    // Nested directories with files large enough to keep the walk busy for a while.
    for (let d = 0; d < 6; d++) {
      await mkdir(path.join(source, `dir${d}`, 'inner'), { recursive: true });
      for (let f = 0; f < 12; f++) await writeFile(path.join(source, `dir${d}`, f % 2 ? 'inner' : '', `f${f}.bin`), pseudoRandomBytes(700 * 1024, d * 100 + f));
    }
    for (let f = 0; f < 20; f++) await writeFile(path.join(source, `top${f}.bin`), pseudoRandomBytes(300 * 1024, 5000 + f));
  });
  afterAll(() => removeDir(dir));

  it.each([0, 30, 150, 400, 900])('rejects as cancelled and leaves no lock when aborted after %i ms', async (delayMs) => {
    const backend = new LocalBackend(path.join(dir, `repo-abort-${delayMs}`));
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('test abort')), delayMs);
    const outcome = await backup(repo, { targets: [source], baseDir: '/', hostname: 'h', signal: controller.signal }).then(
      () => 'completed',
      (e: { code?: string }) => e.code,
    );
    // A fast machine may finish before the abort; either way the repository is clean.
    expect(['completed', ErrorCode.Aborted]).toContain(outcome);
    expect(await readdir(path.join(backend.location, 'locks'))).toEqual([]);
    const check = await restic(['--no-cache', 'check'], { repo: backend.location, password: 'pw', cacheDir: dir });
    expect(check).toContain('no errors were found');
  });

  it('fails with the storage error when packs cannot be written, and removes its lock', async () => {
    const backend = new FailingBackend(path.join(dir, 'repo-enospc'));
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    backend.failData = true;
    await expect(backup(repo, { targets: [source], baseDir: '/', hostname: 'h' })).rejects.toThrow(/no space left on device/);
    expect(await readdir(path.join(backend.location, 'locks'))).toEqual([]);
    expect(await readdir(path.join(backend.location, 'snapshots'))).toEqual([]);
  });

  it('takes its lock back when cancelled while confirming it', async () => {
    const backend = new LocalBackend(path.join(dir, 'repo-lock'));
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('test abort')), 60); // inside the 200 ms recheck
    await expect(RepositoryLock.acquire(repo, { exclusive: false, signal: controller.signal })).rejects.toBeDefined();
    expect(await readdir(path.join(backend.location, 'locks'))).toEqual([]);
  });
});

describe('the blob encoder pool when a worker fails', () => {
  it.each([1, 2])('fails only the affected blobs and keeps serving (pool of %i)', async (size) => {
    const pool = new BlobEncoderPool(size);
    const key = new Uint8Array(32).fill(7);
    const opts = { encryptKey: key, level: 3, rawIfLarger: true };
    // Shared memory cannot be transferred back: the worker's reply fails.
    const shared = new Uint8Array(new SharedArrayBuffer(64 * 1024)).fill(1);
    const bad = pool.encode(shared, opts);
    const good = pool.encode(new Uint8Array(64 * 1024).fill(2), opts);
    const results = await Promise.allSettled([bad, good]);
    expect(results[0]!.status).toBe('rejected');
    const again = await pool.encode(new Uint8Array(64 * 1024).fill(3), opts);
    expect(again.framed.byteLength).toBeGreaterThan(32);
    expect(again.compressed).toBe(true);
  });
});
