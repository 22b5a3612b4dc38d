/**
 * The copy operation between in-memory repositories: restic 0.14's "already copied" rule,
 * only missing blobs copied, and no snapshot written when the copy stops part way (the
 * packs already stored are indexed, so the next copy reuses them).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { copy, similarSnapshots } from '../../src/engine/commands/copy.ts';
import { checkRepository } from '../../src/engine/checker/index.ts';
import { ErrorCode } from '../../src/engine/errors.ts';
import type { Snapshot } from '../../src/engine/format/index.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import type { CallOptions, Handle, Payload } from '../../src/engine/storage/backend.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const FAST_KDF = { N: 1024, r: 8, p: 1 };
const TREE = 'a'.repeat(64);

describe('similarSnapshots (restic 0.14 copy)', () => {
  const base: Snapshot = { time: 1_000n, tree: TREE, paths: ['/a', '/b'], hostname: 'h', username: 'u', uid: 1, gid: 2, tags: ['x', 'y'], excludes: ['*.log', 'tmp'] };

  it('ignores parent, original, the order of paths and tags', () => {
    expect(similarSnapshots(base, { ...base, parent: 'b'.repeat(64), original: 'c'.repeat(64), paths: ['/b', '/a'], tags: ['y', 'x'] })).toBe(true);
  });

  it('tells apart any other field, and excludes in another order', () => {
    for (const other of [
      { time: 1_001n },
      { tree: 'd'.repeat(64) },
      { hostname: 'other' },
      { username: 'other' },
      { uid: 3 },
      { gid: 3 },
      { paths: ['/a'] },
      { paths: ['/a', '/c'] },
      { tags: ['x'] },
      { excludes: ['tmp', '*.log'] },
    ] satisfies Partial<Snapshot>[]) {
      expect(similarSnapshots(base, { ...base, ...other }), JSON.stringify(other, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(false);
    }
  });
});

/** A destination whose Nth pack upload aborts the copy (after storing it), as a cancelled run does. */
class AbortingBackend extends MemoryBackend {
  packsSaved = 0;
  readonly #abortAfterPacks: number;
  readonly #controller: AbortController;
  constructor(abortAfterPacks: number, controller: AbortController) {
    super('aborting');
    this.#abortAfterPacks = abortAfterPacks;
    this.#controller = controller;
  }
  override async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    await super.save(h, data, opts);
    if (h.type === 'data' && ++this.packsSaved === this.#abortAfterPacks) this.#controller.abort();
  }
}

describe('copy between in-memory repositories', () => {
  let dir: string;
  let source: Repository;

  beforeAll(async () => {
    dir = await makeTempDir('copy-unit');
    await mkdir(path.join(dir, 'data'));
    // Several packs of data: 40 MiB of incompressible content.
    for (let i = 0; i < 5; i++) await writeFile(path.join(dir, 'data', `f${i}.bin`), pseudoRandomBytes(8 * 1024 * 1024, i + 1));
    source = await Repository.init(new MemoryBackend('source'), 'src', { kdf: FAST_KDF });
    await backup(source, { targets: ['data'], baseDir: dir, hostname: 'h', tags: ['one'] });
    await writeFile(path.join(dir, 'data', 'late.txt'), 'added later\n');
    await backup(source, { targets: ['data'], baseDir: dir, hostname: 'h', tags: ['two'] });
  });
  afterAll(() => removeDir(dir));

  const freshDestination = async (backend = new MemoryBackend('destination')) =>
    Repository.init(backend, 'dst', { kdf: FAST_KDF, chunkerPolynomial: source.config.chunkerPolynomial });

  it('copies each snapshot once, the second only with what the first lacked, and skips them the next time', async () => {
    const dest = await freshDestination();
    const r = await copy(source, dest);
    expect(r.snapshots.map((o) => o.status)).toEqual(['copied', 'copied']);
    // The second snapshot shares every data blob but the new file's.
    expect(r.snapshots[1]!.bytesCopied).toBeLessThan(64 * 1024);
    expect(r.stats.bytesCopied).toBeGreaterThan(40 * 1024 * 1024);
    const copies = await dest.listSnapshots();
    expect(copies.map((c) => c.snapshot.original)).toEqual(r.snapshots.map((o) => o.sourceId));
    expect(copies.every((c) => c.snapshot.parent === undefined)).toBe(true);
    const report = await checkRepository(dest, { readData: { kind: 'all' } });
    expect(report.errors).toEqual([]);

    const again = await copy(source, dest);
    expect(again.snapshots.map((o) => o.status)).toEqual(['skipped', 'skipped']);
    expect(again.stats.bytesAdded).toBe(0);
  });

  it('selects by id prefix and by latest within a tag filter', async () => {
    const all = await source.listSnapshots();
    const dest = await freshDestination();
    const byPrefix = await copy(source, dest, { snapshots: [all[0]!.id.slice(0, 6)] });
    expect(byPrefix.snapshots.map((o) => o.sourceId)).toEqual([all[0]!.id]);
    const latestOne = await copy(source, dest, { snapshots: ['latest'], filter: { tags: ['one'] } });
    expect(latestOne.snapshots.map((o) => [o.sourceId, o.status])).toEqual([[all[0]!.id, 'skipped']]);
  });

  it('a copy stopped after its first pack writes no snapshot; the next copy finishes with what is stored', async () => {
    const controller = new AbortController();
    const backend = new AbortingBackend(1, controller);
    const dest = await freshDestination(backend);
    await expect(copy(source, dest, { signal: controller.signal })).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(await dest.listSnapshots()).toEqual([]);
    const stored = backend.packsSaved;
    expect(stored).toBeGreaterThanOrEqual(1);
    // The stored packs were indexed: a second copy does not store their blobs again.
    const reopened = await Repository.open(backend, 'dst');
    await reopened.loadIndex();
    expect(reopened.index.indexFiles.size).toBeGreaterThan(0);
    const r = await copy(source, reopened);
    expect(r.copied).toBe(2);
    expect(r.stats.bytesCopied).toBeLessThan(40 * 1024 * 1024);
    expect((await checkRepository(reopened, { readData: { kind: 'all' } })).errors).toEqual([]);
  });
});
