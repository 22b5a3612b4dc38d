/** The prune plan on made-up repositories: which packs go, which are repacked, which stay. */
import { describe, expect, it } from 'vitest';
import type { IndexBlob } from '../../src/engine/format/index.ts';
import { parseMaxUnused, parseSize } from '../../src/engine/prune/max-unused.ts';
import { planPrune, type PlanInput } from '../../src/engine/prune/plan.ts';
import { expectedPackSize } from '../../src/engine/repository/pack.ts';

const id = (n: number) => n.toString(16).padStart(64, '0');
const MiB = 1024 * 1024;

/** A pack of `count` blobs of `size` bytes; ids from `first`. */
function pack(first: number, count: number, size: number, type: 'data' | 'tree' = 'data', compressed = true): IndexBlob[] {
  return Array.from({ length: count }, (_, i) => ({
    id: id(first + i),
    type,
    offset: i * size,
    length: size,
    ...(compressed ? { uncompressedLength: size * 2 } : {}),
  }));
}

/** The blob id each key stands for, keys being handed out as the blob index does: one per blob. */
const idOfKey: string[] = [];

function input(packs: [string, IndexBlob[]][], used: Set<string>, extra: Partial<PlanInput> = {}): PlanInput {
  const table = new Map(packs);
  const packSizes = new Map([...table].map(([pid, blobs]) => [pid, expectedPackSize(blobs)]));
  const tokens = new Map<string, number>();
  for (const [, blobs] of table) {
    for (const b of blobs) {
      if (tokens.has(`${b.type}:${b.id}`)) continue;
      tokens.set(`${b.type}:${b.id}`, idOfKey.length);
      idOfKey.push(b.id);
    }
  }
  return {
    packs: table,
    packSizes,
    // One key per blob id, as the blob index keeps one location per blob.
    key: (t, bid) => tokens.get(`${t}:${bid}`),
    used: new Set([...tokens].filter(([key]) => used.has(key.slice(key.indexOf(':') + 1))).map(([, token]) => token)),
    repositoryVersion: 2,
    maxUnused: parseMaxUnused('5%'),
    ...extra,
  };
}

describe('planPrune', () => {
  it('deletes unused packs, keeps used ones, and deletes packs no index names', () => {
    const inp = input(
      [
        ['p1', pack(1, 4, MiB)],
        ['p2', pack(10, 4, MiB)],
      ],
      new Set([id(1), id(2), id(3), id(4)]),
    );
    const sizes = new Map(inp.packSizes);
    sizes.set('orphan', 1234);
    const plan = planPrune({ ...inp, packSizes: sizes });
    expect(plan.removePacks).toEqual(['p2']);
    expect(plan.repackPacks).toEqual([]);
    expect(plan.removeUnreferenced).toEqual(['orphan']);
    expect(plan.stats.packs).toMatchObject({ used: 1, unused: 1, keep: 1, unreferenced: 1 });
    expect(plan.stats.unreferencedBytes).toBe(1234);
    expect(plan.keepBlobs.size).toBe(0);
  });

  it('repacks a partly used data pack only when the unused data exceeds max-unused', () => {
    // 10 used MiB in one pack, 1 unused MiB in another partly used pack: 1/11 = 9% unused.
    const packs: [string, IndexBlob[]][] = [
      ['full', pack(1, 8, MiB)],
      ['part', pack(20, 3, MiB)],
    ];
    const used = new Set([...pack(1, 8, MiB), ...pack(20, 2, MiB)].map((b) => b.id));
    const strict = planPrune(input(packs, used));
    expect(strict.repackPacks).toEqual(['part']);
    expect([...strict.keepBlobs].map((k) => idOfKey[k]).sort()).toEqual([id(20), id(21)]);
    const lenient = planPrune(input(packs, used, { maxUnused: parseMaxUnused('20%') }));
    expect(lenient.repackPacks).toEqual([]);
    const none = planPrune(input(packs, used, { maxUnused: parseMaxUnused('unlimited') }));
    expect(none.repackPacks).toEqual([]);
    const capped = planPrune(input(packs, used, { maxRepackBytes: MiB }));
    expect(capped.repackPacks).toEqual([]);
  });

  it('always repacks tree packs with unused trees, and uncompressed trees in a v2 repository', () => {
    const trees = pack(1, 4, 4096, 'tree');
    const rawTrees = pack(10, 4, 4096, 'tree', false);
    const used = new Set([id(1), id(2), id(3), ...rawTrees.map((b) => b.id)]);
    const plan = planPrune(input([['trees', trees], ['raw', rawTrees]], used, { maxUnused: parseMaxUnused('unlimited') }));
    expect(plan.repackPacks.sort()).toEqual(['raw', 'trees']);
    // A v1 repository cannot compress: uncompressed trees stay.
    const v1 = planPrune(input([['raw', rawTrees]], used, { repositoryVersion: 1 }));
    expect(v1.repackPacks).toEqual([]);
  });

  it('repacks packs that mix trees and data', () => {
    const mixed = [...pack(1, 2, MiB), ...pack(5, 1, 4096, 'tree').map((b) => ({ ...b, offset: 2 * MiB }))];
    const plan = planPrune(input([['mixed', mixed]], new Set(mixed.map((b) => b.id))));
    expect(plan.repackPacks).toEqual(['mixed']);
  });

  it('counts one copy of a duplicated blob as used, preferring a pack that is kept', () => {
    // Blob 1 is in both packs; pack "a" has other used blobs, pack "b" only the copy.
    const a = pack(1, 4, MiB);
    const b = [...pack(1, 1, MiB), ...pack(30, 1, MiB).map((x) => ({ ...x, offset: MiB }))];
    const plan = planPrune(input([['a', a], ['b', b]], new Set([id(1), id(2), id(3), id(4)])));
    expect(plan.removePacks).toEqual(['b']);
    expect(plan.stats.duplicate.blobs).toBe(1);
  });

  it('merges small packs once there are at least ten of them', () => {
    const nine = Array.from({ length: 9 }, (_, i) => [`s${i}`, pack(100 * i + 1, 1, 1000)] as [string, IndexBlob[]]);
    const usedIds = (ps: [string, IndexBlob[]][]) => new Set(ps.flatMap(([, bs]) => bs.map((b) => b.id)));
    expect(planPrune(input(nine, usedIds(nine))).repackPacks).toEqual([]);
    const ten = [...nine, ['s9', pack(901, 1, 1000)] as [string, IndexBlob[]]];
    expect(planPrune(input(ten, usedIds(ten))).repackPacks).toHaveLength(10);
  });

  it('refuses when a needed pack is missing or its size does not match the index', () => {
    const inp = input([['p1', pack(1, 2, MiB)]], new Set([id(1)]));
    expect(() => planPrune({ ...inp, packSizes: new Map() })).toThrow(/do not exist.*prune stopped before changing anything/);
    expect(() => planPrune({ ...inp, packSizes: new Map([['p1', 99]]) })).toThrow(/has 99 bytes but the index describes/);
  });

  it('drops missing packs that hold nothing in use from the index', () => {
    const inp = input([['p1', pack(1, 2, MiB)], ['gone', pack(10, 2, MiB)]], new Set([id(1), id(2)]));
    const sizes = new Map(inp.packSizes);
    sizes.delete('gone');
    const plan = planPrune({ ...inp, packSizes: sizes });
    expect(plan.ignorePacks).toEqual(['gone']);
    expect(plan.removePacks).toEqual([]);
  });
});

describe('max-unused and sizes', () => {
  it('parses restic\'s forms', () => {
    expect(parseMaxUnused('5%')(95)).toBe(5);
    expect(parseMaxUnused('0%')(1000)).toBe(0);
    expect(parseMaxUnused('unlimited')(1)).toBe(Number.POSITIVE_INFINITY);
    expect(parseMaxUnused('10M')(1)).toBe(10 * MiB);
    expect(parseSize('2g', 'x')).toBe(2 * 1024 * MiB);
    expect(() => parseMaxUnused('100%')).toThrow(/below 100%/);
    expect(() => parseMaxUnused('-1%')).toThrow(/at least 0%/);
    expect(() => parseMaxUnused('lots')).toThrow(/max-unused: 'lots' is not a limit: use a size such as 500M/);
  });
});
