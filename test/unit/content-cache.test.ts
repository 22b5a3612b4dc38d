/** The content cache file: what it keeps, what it forgets, and what it refuses to read. */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentCache, contentCacheFile, headDigest } from '../../src/engine/archiver/content-cache.ts';
import { generateMasterKey } from '../../src/engine/crypto/master-key.ts';
import { initCrypto } from '../../src/engine/crypto/poly1305.ts';
import { idOf } from '../../src/engine/format/id.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const head = (text: string) => headDigest(Buffer.from(text));
const ids = (...texts: string[]) => texts.map((t) => idOf(Buffer.from(t)));

describe('ContentCache', () => {
  let dir: string;
  const key = generateMasterKey();
  beforeAll(async () => {
    await initCrypto();
    dir = await makeTempDir('content-cache');
  });
  afterAll(() => removeDir(dir));

  it('keeps entries by size and head across a save and a load', async () => {
    const file = contentCacheFile(dir, 'a'.repeat(64));
    const cache = ContentCache.empty();
    cache.record(head('one'), 1_000_000, ids('x', 'y'));
    cache.record(head('two'), 2_000_000, ids('z'));
    await cache.save(file, key);
    const loaded = await ContentCache.load(file, key);
    expect(loaded.size).toBe(2);
    expect(loaded.lookup(head('one'), 1_000_000)).toEqual(ids('x', 'y'));
    expect(loaded.lookup(head('one'), 1_000_001)).toBeUndefined(); // same head, other size
    expect(loaded.lookup(head('three'), 2_000_000)).toBeUndefined();
    expect(loaded.stats).toEqual({ found: 1, missing: 2, recorded: 0 });
  });

  it('reads nothing from a file sealed with another key, a damaged file, or none', async () => {
    const file = path.join(dir, 'sealed');
    const cache = ContentCache.empty();
    cache.record(head('one'), 1_000_000, ids('x'));
    await cache.save(file, key);
    expect((await ContentCache.load(file, generateMasterKey())).size).toBe(0);
    const bytes = await readFile(file);
    bytes[bytes.length - 20]! ^= 0x80;
    await writeFile(file, bytes);
    expect((await ContentCache.load(file, key)).size).toBe(0);
    expect((await ContentCache.load(path.join(dir, 'missing'), key)).size).toBe(0);
  });

  it('forgets entries no backup has used for 16 backups', async () => {
    const file = path.join(dir, 'ageing');
    let cache = ContentCache.empty();
    cache.record(head('old'), 1_000_000, ids('o'));
    await cache.save(file, key);
    for (let run = 0; run < 16; run++) {
      cache = await ContentCache.load(file, key);
      cache.record(head(`new ${run}`), 1_000_000, ids(`n${run}`));
      await cache.save(file, key);
    }
    cache = await ContentCache.load(file, key);
    expect(cache.lookup(head('old'), 1_000_000)).toBeUndefined();
    expect(cache.lookup(head('new 15'), 1_000_000)).toEqual(ids('n15'));
    expect(cache.lookup(head('new 1'), 1_000_000)).toEqual(ids('n1'));
  });
});
