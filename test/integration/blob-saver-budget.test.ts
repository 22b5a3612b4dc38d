/**
 * The blob saver's memory budget under shapes that once deadlocked it: highly compressible
 * data (open packers holding plaintext budget they could never fill with stored bytes) and
 * one blob larger than the whole budget. Both must finish and store everything.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { compressSync } from '../../src/engine/compress/zstd.ts';
import { idOf } from '../../src/engine/format/id.ts';
import { BlobSaver } from '../../src/engine/repository/blob-saver.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const FAST_KDF = { N: 1024, r: 8, p: 1 };
const MiB = 1024 * 1024;

/** 1 MiB of SQL-like lines that zstd shrinks about tenfold. */
function insertLines(seed: number): Uint8Array {
  let s = '';
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  while (s.length < MiB) s += `INSERT INTO events (id, user_id, kind) VALUES (${next() % 10_000_000}, ${next() % 50_000}, 'page_view');\n`;
  return new TextEncoder().encode(s.slice(0, MiB));
}

describe('blob saver budget', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('cv-budget-');
  });
  afterAll(() => removeDir(dir));

  it('stores 200 MiB of tenfold-compressible blobs with the default budget', async () => {
    const repo = await Repository.init(new LocalBackend(path.join(dir, 'compressible')), 'pw', { kdf: FAST_KDF });
    const sample = insertLines(1);
    expect(sample.byteLength / compressSync(sample, 'auto').byteLength).toBeGreaterThan(6);
    const saver = new BlobSaver(repo);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const blob = insertLines(i + 1);
      ids.push(idOf(blob));
      await saver.save('data', blob);
    }
    await saver.flush();
    expect(saver.stats.dataBlobs).toBe(200);
    expect(saver.stats.packsWritten).toBeGreaterThan(0);
    for (const id of ids) expect(repo.index.has('data', id)).toBe(true);
    expect(Buffer.from(await repo.loadBlob('data', ids[123]!)).equals(insertLines(124))).toBe(true);
  }, 120_000);

  it('stores a tree blob larger than the whole budget while a pack is open', async () => {
    const repo = await Repository.init(new LocalBackend(path.join(dir, 'huge')), 'pw', { kdf: FAST_KDF });
    const saver = new BlobSaver(repo);
    await saver.save('data', pseudoRandomBytes(MiB, 5));
    const huge = pseudoRandomBytes(150 * MiB, 6);
    const id = idOf(huge);
    await saver.save('tree', huge);
    await saver.flush();
    expect(repo.index.has('tree', id)).toBe(true);
    expect(idOf(await repo.loadBlob('tree', id))).toBe(id);
  }, 120_000);
});
