/**
 * A snapshot is untrusted input. Hostile repositories, built here with our own engine
 * pieces and hand-written tree JSON (so any name, type or size can be put in), must be
 * refused or contained: nothing is ever written outside the target. Damaged repositories
 * (a flipped byte, a deleted or truncated pack, a blob missing from the index) fail the
 * restore, and the error names the file, the blob and the pack.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { listSnapshots } from '../../src/engine/commands/find-snapshot.ts';
import { restore } from '../../src/engine/commands/restore.ts';
import { ErrorCode } from '../../src/engine/errors.ts';
import { serializeIndex, serializeSnapshot } from '../../src/engine/format/index.ts';
import { idOf, type Id } from '../../src/engine/format/id.ts';
import { BlobSaver } from '../../src/engine/repository/blob-saver.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { planRestore } from '../../src/engine/restorer/plan.ts';
import { RestoreFailedError } from '../../src/engine/restorer/restore-error.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { stateDiff, stateOf } from '../helpers/restore.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'hostile';
const FAST_KDF = { N: 16384, r: 8, p: 1 };
const TIMES = '"mtime":"2024-01-02T03:04:05Z","atime":"2024-01-02T03:04:05Z","ctime":"2024-01-02T03:04:05Z","uid":0,"gid":0';

/** One node as restic writes it; `name` is the Go-quoted form (what goes between the JSON quotes, unescaped). */
const node = {
  file: (name: string, content: Id[] | null, mode = 0o644) =>
    `{"name":${JSON.stringify(name)},"type":"file","mode":${mode},${TIMES},"content":${content === null ? 'null' : JSON.stringify(content)}}`,
  dir: (name: string, subtree: Id | undefined) =>
    `{"name":${JSON.stringify(name)},"type":"dir","mode":${0x8000_0000 + 0o755},${TIMES},"content":null${subtree ? `,"subtree":"${subtree}"` : ''}}`,
  symlink: (name: string, target: string) =>
    `{"name":${JSON.stringify(name)},"type":"symlink","mode":${0x0800_0000 + 0o777},${TIMES},"linktarget":${JSON.stringify(target)},"content":null}`,
};

/** A repository to which trees and data can be added by hand, and snapshots of them. */
class HostileRepo {
  readonly repo: Repository;
  readonly #saver: BlobSaver;
  private constructor(repo: Repository) {
    this.repo = repo;
    this.#saver = new BlobSaver(repo);
  }
  static async create(dir: string): Promise<HostileRepo> {
    return new HostileRepo(await Repository.init(new LocalBackend(dir), PASSWORD, { kdf: FAST_KDF }));
  }
  async data(text: string): Promise<Id> {
    const bytes = new TextEncoder().encode(text);
    await this.#saver.save('data', bytes);
    return idOf(bytes);
  }
  async tree(...nodes: string[]): Promise<Id> {
    const bytes = new TextEncoder().encode(`{"nodes":[${nodes.join(',')}]}\n`);
    await this.#saver.save('tree', bytes);
    return idOf(bytes);
  }
  async snapshot(tree: Id): Promise<Id> {
    await this.#saver.flush();
    const json = serializeSnapshot({ time: BigInt(Date.now()) * 1_000_000n, tree, paths: ['/hostile'], hostname: 'evil' });
    return (await this.repo.saveUnpacked('snapshot', json)).id;
  }
}

describe('restoring a hostile snapshot', () => {
  let dir: string;
  let arena: string;
  let outside: string;
  let hostile: HostileRepo;
  let n = 0;

  /** Restores `snapshot` into a fresh target in the arena; asserts nothing else in the arena changed. */
  async function restoreContained(snapshot: Id, opts: { overwrite?: boolean; target?: string } = {}): Promise<{ target: string; error: unknown }> {
    const target = opts.target ?? path.join(arena, `target-${++n}`);
    const before = await stateOf(arena);
    const error = await restore(hostile.repo, { snapshot, target, overwrite: opts.overwrite }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const outsideTarget = (state: Awaited<ReturnType<typeof stateOf>>) =>
      new Map([...state].filter(([rel]) => rel !== path.basename(target) && !rel.startsWith(`${path.basename(target)}/`)));
    expect(stateDiff(outsideTarget(before), outsideTarget(await stateOf(arena)))).toEqual([]);
    return { target, error };
  }

  beforeAll(async () => {
    dir = await makeTempDir('restore-hostile');
    arena = path.join(dir, 'arena');
    outside = path.join(arena, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(path.join(outside, 'passwd'), 'sentinel: must never change\n');
    hostile = await HostileRepo.create(path.join(dir, 'repo'));
  });
  afterAll(() => removeDir(dir));

  it.each([
    ['..', 'the name is ".."'],
    ['.', 'the name is "."'],
    ['', 'the name is empty'],
    ['a/b', 'the name contains "/"'],
    ['../../outside/passwd', 'the name contains "/"'],
    ['nul\\x00byte', 'the name contains a NUL byte'],
  ])('refuses a node named %j before writing anything', async (name, reason) => {
    const data = await hostile.data('overwritten!\n');
    const root = await hostile.tree(node.file('fine.txt', [data]), node.file(name, [data]));
    const { target, error } = await restoreContained(await hostile.snapshot(root));
    expect(error).toMatchObject({ code: ErrorCode.Integrity });
    expect((error as Error).message).toContain(`tree ${root}`);
    expect((error as Error).message).toContain(reason);
    expect(fs.existsSync(target)).toBe(false);
  });

  it.each([
    ['a directory', (sub: Id) => node.dir('link', sub)],
    ['a file', (_sub: Id, data: Id) => node.file('link', [data])],
  ])('refuses a symlink to a directory outside followed by %s of the same name', async (_kind, second) => {
    const data = await hostile.data('root::0:0:pwned:/root:/bin/sh\n');
    const sub = await hostile.tree(node.file('passwd', [data]));
    for (const order of [0, 1]) {
      const nodes = [node.symlink('link', outside), second(sub, data)];
      const root = await hostile.tree(...(order === 0 ? nodes : nodes.reverse()));
      const { target, error } = await restoreContained(await hostile.snapshot(root));
      expect(error).toMatchObject({ code: ErrorCode.Integrity, message: expect.stringContaining('two nodes named "link"') });
      expect(fs.existsSync(target)).toBe(false);
    }
  });

  it('restores symlinks that point outside as symlinks, and never follows them', async () => {
    const data = await hostile.data('inside\n');
    const sub = await hostile.tree(node.symlink('up', '../../outside'), node.symlink('abs', outside), node.file('file', [data]));
    const root = await hostile.tree(node.dir('sub', sub), node.symlink('etc', '/etc'));
    const { target, error } = await restoreContained(await hostile.snapshot(root));
    expect(error).toBeUndefined();
    expect(fs.readlinkSync(path.join(target, 'sub', 'up'))).toBe('../../outside');
    expect(fs.readlinkSync(path.join(target, 'sub', 'abs'))).toBe(outside);
    expect(fs.readlinkSync(path.join(target, 'etc'))).toBe('/etc');
    expect(fs.readFileSync(path.join(target, 'sub', 'file'), 'utf8')).toBe('inside\n');
  });

  it('when overwriting, replaces symlinks already in the target instead of writing through them', async () => {
    const target = path.join(arena, 'prepared');
    fs.mkdirSync(target);
    fs.symlinkSync(outside, path.join(target, 'etc'));
    fs.symlinkSync(path.join(outside, 'passwd'), path.join(target, 'file.txt'));
    const data = await hostile.data('from the snapshot\n');
    const etc = await hostile.tree(node.file('passwd', [data]));
    const root = await hostile.tree(node.dir('etc', etc), node.file('file.txt', [data]));
    const { error } = await restoreContained(await hostile.snapshot(root), { target, overwrite: true });
    expect(error).toBeUndefined();
    expect(fs.lstatSync(path.join(target, 'etc')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(target, 'etc', 'passwd'), 'utf8')).toBe('from the snapshot\n');
    expect(fs.lstatSync(path.join(target, 'file.txt')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(target, 'file.txt'), 'utf8')).toBe('from the snapshot\n');
  });

  it('refuses a file without a content list and a directory without a subtree', async () => {
    const noContent = await hostile.tree(node.file('nil', null));
    let r = await restoreContained(await hostile.snapshot(noContent));
    expect(r.error).toMatchObject({ code: ErrorCode.Integrity, message: expect.stringMatching(/\/nil has no content list/) });
    const noSubtree = await hostile.tree(node.dir('d', undefined));
    r = await restoreContained(await hostile.snapshot(noSubtree));
    expect(r.error).toMatchObject({ code: ErrorCode.Integrity, message: expect.stringMatching(/directory \/d has no subtree/) });
  });

  it('refuses sizes the index declares beyond any real blob, before allocating anything', async () => {
    const packId = idOf(randomBytes(32));
    const blobId = idOf(randomBytes(32));
    const index = serializeIndex({ packs: [{ id: packId, blobs: [{ id: blobId, type: 'data', offset: 0, length: 100, uncompressedLength: 2 ** 31 }] }] });
    await hostile.repo.saveUnpacked('index', index);
    await hostile.repo.loadIndex();
    const root = await hostile.tree(node.file('huge', [blobId]));
    const { target, error } = await restoreContained(await hostile.snapshot(root));
    expect(error).toMatchObject({ code: ErrorCode.Integrity, message: expect.stringContaining(`data blob ${blobId} of /huge`) });
    expect((error as Error).message).toMatch(/implausible size \(2147483648 bytes\)/);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses a tree that references one subtree so often that it would never end', async () => {
    let sub = await hostile.tree();
    for (let depth = 0; depth < 40; depth++) sub = await hostile.tree(node.dir('a', sub), node.dir('b', sub));
    const id = await hostile.snapshot(sub);
    const entry = (await listSnapshots(hostile.repo)).find((s) => s.id === id)!;
    // 2^40 nodes: the walk stops at the bound (here lowered to keep the test fast).
    await expect(planRestore(hostile.repo, entry, { maxNodes: 100_000 })).rejects.toMatchObject({
      code: ErrorCode.Integrity,
      message: expect.stringContaining('more than 100000 nodes'),
    });
  });

  it('fails on a blob that is in no pack, naming the file and the blob, after restoring the rest', async () => {
    const good = await hostile.data('good\n');
    const ghost = idOf(randomBytes(32));
    const root = await hostile.tree(node.file('good.txt', [good]), node.file('ghost.txt', [good, ghost]));
    const { target, error } = await restoreContained(await hostile.snapshot(root));
    expect(error).toBeInstanceOf(RestoreFailedError);
    expect(error).toMatchObject({ code: ErrorCode.Integrity });
    expect((error as Error).message).toContain(`/ghost.txt: blob ${ghost}: the data blob is not in the index`);
    expect(fs.readFileSync(path.join(target, 'good.txt'), 'utf8')).toBe('good\n');
    expect(fs.existsSync(path.join(target, 'ghost.txt'))).toBe(false);
  });
});

describe('restoring a damaged repository', () => {
  let dir: string;
  let n = 0;

  /** A fresh repository with one backup of a.bin (several blobs), b.txt and c.txt. */
  async function damagedRepo(): Promise<{ repo: Repository; repoPath: string; source: string; aBlob: { id: Id; packId: Id; offset: number; length: number } }> {
    const base = path.join(dir, `case-${++n}`);
    const source = path.join(base, 'source');
    fs.mkdirSync(source, { recursive: true });
    // Over 8 MiB: the chunker's maximum forces at least two blobs, whatever the repository's polynomial.
    fs.writeFileSync(path.join(source, 'a.bin'), pseudoRandomBytes(9 * 1024 * 1024, n));
    fs.writeFileSync(path.join(source, 'b.txt'), 'bee\n');
    fs.writeFileSync(path.join(source, 'c.txt'), 'sea\n');
    const repoPath = path.join(base, 'repo');
    const writer = await Repository.init(new LocalBackend(repoPath), PASSWORD, { kdf: FAST_KDF });
    const { snapshotId } = await backup(writer, { targets: [source], baseDir: base, hostname: 'h' });
    const repo = await Repository.open(new LocalBackend(repoPath), PASSWORD);
    await repo.loadIndex();
    const entry = (await listSnapshots(repo)).find((s) => s.id === snapshotId)!;
    const plan = await planRestore(repo, entry);
    const a = plan.entries.find((e) => e.location === `${source}/a.bin`);
    if (a?.kind !== 'file' || a.blobs.length < 2) throw new Error('a.bin should be several blobs');
    const blob = a.blobs[1]!;
    return { repo, repoPath, source, aBlob: { id: blob.id, packId: blob.loc.packId, offset: blob.loc.offset, length: blob.loc.length } };
  }

  const packPath = (repoPath: string, packId: Id) => path.join(repoPath, 'data', packId.slice(0, 2), packId);

  beforeAll(async () => {
    dir = await makeTempDir('restore-damaged');
  });
  afterAll(() => removeDir(dir));

  it('fails when one byte of a pack is flipped, naming the file, the blob and the pack, and restores the rest', async () => {
    const { repo, repoPath, source, aBlob } = await damagedRepo();
    const file = packPath(repoPath, aBlob.packId);
    fs.chmodSync(file, 0o600);
    const bytes = fs.readFileSync(file);
    bytes[aBlob.offset + Math.floor(aBlob.length / 2)]! ^= 0x01;
    fs.writeFileSync(file, bytes);

    const target = path.join(dir, `target-${n}`);
    const error = await restore(repo, { target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreFailedError);
    expect(error).toMatchObject({ code: ErrorCode.Integrity });
    expect((error as Error).message).toContain(`${source}/a.bin: blob ${aBlob.id} in pack ${aBlob.packId}: ciphertext verification failed`);
    const partial = (error as RestoreFailedError<{ filesRestored: number; errors: unknown[] }>).partial;
    expect(partial.errors).toHaveLength(1);
    expect(partial.filesRestored).toBe(2);
    expect(fs.readFileSync(path.join(target, source, 'b.txt'), 'utf8')).toBe('bee\n');
    expect(fs.readFileSync(path.join(target, source, 'c.txt'), 'utf8')).toBe('sea\n');
  });

  it('fails when a pack is deleted, naming every file, blob and the pack', async () => {
    const { repo, repoPath, source, aBlob } = await damagedRepo();
    fs.rmSync(packPath(repoPath, aBlob.packId));
    const error = await restore(repo, { target: path.join(dir, `target-${n}`) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.Integrity });
    const message = (error as Error).message;
    expect(message).toContain(`${source}/a.bin: blob ${aBlob.id} in pack ${aBlob.packId}: the pack is missing from the repository`);
    expect(message).toContain(`${source}/b.txt: blob `);
    expect(message).toContain(`${source}/c.txt: blob `);
  });

  it('fails when a pack is truncated, naming the file, the blob and the pack', async () => {
    const { repo, repoPath, source, aBlob } = await damagedRepo();
    const file = packPath(repoPath, aBlob.packId);
    fs.chmodSync(file, 0o600);
    fs.truncateSync(file, aBlob.offset + 10);
    const error = await restore(repo, { target: path.join(dir, `target-${n}`) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.Integrity });
    expect((error as Error).message).toMatch(new RegExp(`${source}/a\\.bin: blob ${aBlob.id} in pack ${aBlob.packId}: the pack cannot be read: .*short read`));
  });
});
