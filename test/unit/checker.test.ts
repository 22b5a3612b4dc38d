/**
 * The checker on hand-made repositories: packs whose index and header disagree in each way
 * restic's read-data notices, trees that break restic's node rules, and restic's rules for
 * choosing the packs of a read-data subset.
 */
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { checkRepository, parseReadDataSubset, rollingSubset, selectPacks, type CheckReport } from '../../src/engine/checker/index.ts';
import { seal } from '../../src/engine/crypto/index.ts';
import { serializeIndex, serializeSnapshot, type IndexBlob } from '../../src/engine/format/index.ts';
import { idOf, type Id } from '../../src/engine/format/id.ts';
import { Packer } from '../../src/engine/repository/pack.ts';
import { Repository } from '../../src/engine/repository/repository.ts';

const FAST_KDF = { N: 16384, r: 8, p: 1 };
const codes = (r: CheckReport) => [...new Set(r.errors.map((f) => f.code))].sort();

describe('read-data subset selection', () => {
  const ids = Array.from({ length: 512 }, (_, i) => (i % 256).toString(16).padStart(2, '0') + String(i).padStart(62, '0'));

  it('parses restic spellings and refuses what restic refuses', () => {
    expect(parseReadDataSubset('2/5')).toEqual({ kind: 'subset', n: 2, t: 5 });
    expect(parseReadDataSubset('12.5%')).toEqual({ kind: 'percent', percent: 12.5 });
    expect(parseReadDataSubset('auto', { runNumber: '17' })).toEqual({ kind: 'subset', n: 2, t: 8 });
    for (const bad of ['0/5', '6/5', '1/257', '0%', '100.5%', '1G', '1/2/3', 'auto', '']) {
      expect(() => parseReadDataSubset(bad), bad).toThrow(/read-data-subset/);
    }
  });

  it('puts each pack in the group its first id byte names, so that groups 1..t cover every pack once', () => {
    for (const t of [1, 3, 8, 256]) {
      const all: Id[] = [];
      for (let n = 1; n <= t; n++) {
        const group = selectPacks(ids, { kind: 'subset', n, t });
        expect(group.every((id) => parseInt(id.slice(0, 2), 16) % t === n - 1)).toBe(true);
        all.push(...group);
      }
      expect(all.sort()).toEqual([...ids].sort());
    }
    // 8 divides 256: the rolling groups are equal.
    for (let run = 0; run < 8; run++) expect(selectPacks(ids, rollingSubset(run))).toHaveLength(64);
  });

  it('takes ⌊count·x/100⌋ packs for x%, at least one, the same ones for the same seed', () => {
    expect(selectPacks(ids, { kind: 'percent', percent: 10, seed: 1 })).toHaveLength(51);
    expect(selectPacks(ids, { kind: 'percent', percent: 0.01, seed: 1 })).toHaveLength(1);
    expect(selectPacks(ids, { kind: 'percent', percent: 10, seed: 5 })).toEqual(selectPacks(ids, { kind: 'percent', percent: 10, seed: 5 }));
    expect(selectPacks(ids, { kind: 'percent', percent: 10, seed: 5 })).not.toEqual(selectPacks(ids, { kind: 'percent', percent: 10, seed: 6 }));
    expect(selectPacks([], { kind: 'percent', percent: 50 })).toEqual([]);
  });
});

describe('checkRepository on hand-made repositories', () => {
  let repo: Repository;
  beforeEach(async () => {
    repo = await Repository.init(new MemoryBackend(), 'pw', { kdf: FAST_KDF });
  });

  /** Stores a pack of `blobs` (stored raw) and an index for it made by `edit` from the true entries. */
  async function packWithIndex(type: 'data' | 'tree', blobs: Uint8Array[], edit: (entries: IndexBlob[]) => IndexBlob[] = (e) => e): Promise<Id> {
    const packer = new Packer(type);
    for (const b of blobs) packer.add(idOf(b), seal(repo.key, b));
    const pack = packer.finish(repo.key);
    await repo.backend.save({ type: 'data', name: pack.id }, pack.parts);
    await repo.saveUnpacked('index', serializeIndex({ packs: [{ id: pack.id, blobs: edit(pack.blobs.map((b) => ({ ...b }))) }] }));
    return pack.id;
  }

  const blobs = () => [new Uint8Array(randomBytes(1000)), new Uint8Array(randomBytes(2000)), new Uint8Array(randomBytes(3000))];

  it('passes a pack whose index and header agree', async () => {
    await packWithIndex('data', blobs());
    const report = await checkRepository(repo, { readData: { kind: 'all' } });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ packsChecked: 1, packsRead: 1, blobsRead: 3 });
  });

  it('reports index entries that leave out a blob: wrong size, and a header entry the index lacks', async () => {
    const packId = await packWithIndex('data', blobs(), (e) => e.slice(0, 2));
    const structural = await checkRepository(repo);
    expect(codes(structural)).toEqual(['pack-size-mismatch']);
    const report = await checkRepository(repo, { readData: { kind: 'all' } });
    expect(codes(report)).toEqual(['pack-header-mismatch', 'pack-size-mismatch']);
    expect(report.errors.find((f) => f.code === 'pack-header-mismatch')!.message).toMatch(/1 header entry is not in the index/);
    expect(report.errors.every((f) => f.packId === packId)).toBe(true);
  });

  it('reports swapped offsets: the index disagrees with the header and the blobs do not verify where it says', async () => {
    const equal = [new Uint8Array(randomBytes(500)), new Uint8Array(randomBytes(500))];
    await packWithIndex('data', equal, ([a, b]) => [{ ...a!, offset: b!.offset }, { ...b!, offset: a!.offset }]);
    const report = await checkRepository(repo, { readData: { kind: 'all' } });
    expect(codes(report)).toEqual(['blob-corrupt', 'pack-header-mismatch']);
    expect(report.errors.filter((f) => f.code === 'blob-corrupt')).toHaveLength(2);
  });

  it('reports gaps and overlaps in the index, and blobs placed past the end of the pack', async () => {
    await packWithIndex('data', blobs(), ([a, b, c]) => [a!, { ...b!, offset: b!.offset + 10 }, c!]);
    expect(codes(await checkRepository(repo, { readData: { kind: 'all' } }))).toContain('pack-index-inconsistent');

    const other = await Repository.init(new MemoryBackend(), 'pw', { kdf: FAST_KDF });
    repo = other;
    await packWithIndex('data', blobs(), ([a, b, c]) => [a!, b!, { ...c!, offset: 1_000_000 }]);
    const report = await checkRepository(repo, { readData: { kind: 'all' } });
    expect(report.errors.find((f) => f.code === 'blob-corrupt')!.message).toMatch(/past the end/);
  });

  it('reports a wrong uncompressed length as a header mismatch and a blob that does not decode', async () => {
    await packWithIndex('data', blobs(), ([a, b, c]) => [a!, b!, { ...c!, uncompressedLength: 4000 }]);
    const report = await checkRepository(repo, { readData: { kind: 'all' } });
    expect(codes(report)).toEqual(['blob-corrupt', 'pack-header-mismatch', 'pack-size-mismatch']);
  });

  it('sees an index file deleted after the repository loaded its index', async () => {
    const dataBlob = new Uint8Array(randomBytes(100));
    await packWithIndex('data', [dataBlob]);
    const t = '"mtime":"2024-01-01T00:00:00Z","atime":"2024-01-01T00:00:00Z","ctime":"2024-01-01T00:00:00Z","uid":0,"gid":0';
    const tree = new TextEncoder().encode(`{"nodes":[{"name":"f","type":"file",${t},"content":["${idOf(dataBlob)}"]}]}\n`);
    await packWithIndex('tree', [tree]);
    await repo.saveUnpacked('snapshot', serializeSnapshot({ time: 0n, tree: idOf(tree), paths: ['/x'], hostname: 'h' }));
    await repo.loadIndex();
    for await (const f of repo.backend.list('index')) {
      if (new TextDecoder().decode(await repo.loadUnpacked('index', f.name)).includes('"data"')) await repo.backend.remove({ type: 'index', name: f.name });
    }
    const report = await checkRepository(repo);
    expect(report.errors).toMatchObject([{ code: 'blob-missing', blobId: idOf(dataBlob), paths: ['/f'] }]);
    expect(report.hints.map((h) => h.code).sort()).toEqual(['index-incomplete', 'pack-unreferenced']);
  });

  it('applies restic 0.14 node rules and names the nodes that break them', async () => {
    const dataBlob = new Uint8Array(randomBytes(100));
    await packWithIndex('data', [dataBlob]);
    const t = '"mtime":"2024-01-01T00:00:00Z","atime":"2024-01-01T00:00:00Z","ctime":"2024-01-01T00:00:00Z","uid":0,"gid":0';
    const missing = idOf(new Uint8Array([1, 2, 3]));
    const nodes = [
      `{"name":"..","type":"file",${t},"content":["${idOf(dataBlob)}"]}`,
      `{"name":"b-nil","type":"file",${t},"content":null}`,
      `{"name":"a-unsorted","type":"symlink",${t},"linktarget":"x","content":null}`,
      `{"name":"c-nosub","type":"dir",${t},"content":null}`,
      `{"name":"d-weird","type":"whiteout",${t},"content":null}`,
      `{"name":"e-lost","type":"file",${t},"content":["${idOf(dataBlob)}","${missing}"]}`,
      `{"name":"f-ok","type":"file",${t},"content":["${idOf(dataBlob)}"]}`,
    ];
    const tree = new TextEncoder().encode(`{"nodes":[${nodes.join(',')}]}\n`);
    await packWithIndex('tree', [tree]);
    const { id: snapshotId } = await repo.saveUnpacked('snapshot', serializeSnapshot({ time: 0n, tree: idOf(tree), paths: ['/x'], hostname: 'h' }));

    const report = await checkRepository(repo);
    const byPath = new Map(report.errors.map((f) => [f.paths?.join(','), f.code]));
    expect(Object.fromEntries(byPath)).toEqual({
      '/..': 'node-invalid',
      '/b-nil': 'node-invalid',
      '/c-nosub': 'node-invalid',
      '/d-weird': 'node-invalid',
      '/e-lost': 'blob-missing',
    });
    expect(report.errors.every((f) => f.treeId === idOf(tree) && f.snapshotIds?.[0] === snapshotId)).toBe(true);
    expect(report.errors.find((f) => f.code === 'blob-missing')).toMatchObject({ blobId: missing, blobType: 'data' });
    expect(report.hints.map((h) => h.code)).toEqual(['tree-unsorted']);
  });
});
