/** The blob index in typed arrays: lookups, first location wins, keys, growth, and limits. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IndexBlob } from '../../src/engine/format/index.ts';
import { MasterIndex } from '../../src/engine/repository/master-index.ts';

const id = (n: number | string) => createHash('sha256').update(String(n)).digest('hex');

function pack(first: number, count: number, type: 'data' | 'tree' = 'data'): IndexBlob[] {
  return Array.from({ length: count }, (_, i) => ({ id: id(first + i), type, offset: i * 1000, length: 1000 + i, ...(i % 2 ? { uncompressedLength: 5000 + i } : {}) }));
}

describe('MasterIndex', () => {
  it('finds every blob of many packs at its place, across growth and rehashing', () => {
    const index = new MasterIndex();
    for (let p = 0; p < 200; p++) index.addPack(id(`pack${p}`), pack(p * 500, 500));
    expect(index.blobCount).toBe(100_000);
    expect(index.packCount).toBe(200);
    for (const n of [0, 1, 499, 500, 77_777, 99_999]) {
      const i = n % 500;
      expect(index.lookup('data', id(n))).toEqual({
        packId: id(`pack${Math.floor(n / 500)}`),
        type: 'data',
        offset: i * 1000,
        length: 1000 + i,
        uncompressedLength: i % 2 ? 5000 + i : 0,
      });
    }
    expect(index.has('data', id(100_000))).toBe(false);
    expect(index.lookup('data', id(100_000))).toBeUndefined();
    expect(index.has('tree', id(5))).toBe(false);
  });

  it('keeps a blob stored twice at its first location, and data and tree apart', () => {
    const index = new MasterIndex();
    index.addPack(id('a'), pack(1, 3));
    index.addPack(id('b'), [...pack(2, 1), ...pack(2, 1, 'tree')]);
    expect(index.lookup('data', id(2))?.packId).toBe(id('a'));
    expect(index.lookup('tree', id(2))?.packId).toBe(id('b'));
    expect(index.blobCount).toBe(4);
  });

  it('gives each blob one key, the same at every call, and none to a blob it lacks', () => {
    const index = new MasterIndex();
    index.addPack(id('a'), [...pack(1, 50), ...pack(1, 50, 'tree')]);
    const keys = new Set<number>();
    for (let n = 1; n <= 50; n++) {
      keys.add(index.key('data', id(n))!);
      keys.add(index.key('tree', id(n))!);
      expect(index.key('data', id(n))).toBe(index.key('data', id(n)));
    }
    expect(keys.size).toBe(100);
    expect(index.key('data', id(51))).toBeUndefined();
    expect(index.key('data', 'not an id')).toBeUndefined();
  });

  it('lists every entry with its id and location', () => {
    const index = new MasterIndex();
    index.addPack(id('a'), [...pack(1, 3), ...pack(9, 1, 'tree')]);
    const listed = [...index.entries()].map(([blobId, loc]) => [blobId, loc.type, loc.offset]);
    expect(listed).toEqual([
      [id(1), 'data', 0],
      [id(2), 'data', 1000],
      [id(3), 'data', 2000],
      [id(9), 'tree', 0],
    ]);
  });

  it('refuses an entry it cannot hold instead of storing a wrong location', () => {
    const index = new MasterIndex();
    expect(() => index.addPack(id('a'), [{ id: id(1), type: 'data', offset: 2 ** 32, length: 100 }])).toThrow(/4 GiB/);
    expect(() => index.addPack(id('a'), [{ id: 'zz', type: 'data', offset: 0, length: 100 }])).toThrow(/invalid blob ID/);
  });
});
