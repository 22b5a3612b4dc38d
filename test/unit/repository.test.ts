/** Repository basics on an in-memory backend: init/open, unpacked files, packs, locks. */
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/errors.ts';
import { idOf } from '../../src/engine/format/id.ts';
import { BlobSaver } from '../../src/engine/repository/blob-saver.ts';
import { RepositoryLock, listLocks } from '../../src/engine/repository/lock.ts';
import { expectedPackSize, Packer, parsePackHeader } from '../../src/engine/repository/pack.ts';
import { Repository } from '../../src/engine/repository/repository.ts';

const FAST_KDF = { N: 16384, r: 8, p: 1 };

describe('Repository', () => {
  let backend: MemoryBackend;
  beforeEach(() => {
    backend = new MemoryBackend();
  });

  it('opens with the right password and says so for a wrong one', async () => {
    const created = await Repository.init(backend, 'right', { kdf: FAST_KDF });
    const opened = await Repository.open(backend, 'right');
    expect(opened.id).toBe(created.id);
    expect(opened.config.chunkerPolynomial).toBe(created.config.chunkerPolynomial);
    expect(opened.version).toBe(2);
    const error = await Repository.open(backend, 'wrong').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChunkvaultError);
    expect((error as ChunkvaultError).code).toBe(ErrorCode.WrongPassword);
    expect((error as Error).message).toMatch(/wrong password/);
  });

  it('refuses to init twice and reports a missing repository', async () => {
    await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    await expect(Repository.init(backend, 'pw', { kdf: FAST_KDF })).rejects.toMatchObject({ code: ErrorCode.RepositoryExists });
    const missing = new MemoryBackend();
    await expect(Repository.open(missing, 'pw')).rejects.toMatchObject({ code: ErrorCode.RepositoryNotFound });
  });

  it('round-trips unpacked files and rejects one whose bytes do not match its name', async () => {
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const json = new TextEncoder().encode('{"packs":[]}\n');
    const { id } = await repo.saveUnpacked('index', json);
    expect(new TextDecoder().decode(await repo.loadUnpacked('index', id))).toBe('{"packs":[]}\n');
    const other = await repo.saveUnpacked('index', new TextEncoder().encode('{"packs":[ ]}\n'));
    // Put the other file's bytes under the first name: the id check must catch it.
    const bytes = await backend.load({ type: 'index', name: other.id });
    await backend.remove({ type: 'index', name: id });
    await backend.save({ type: 'index', name: id }, bytes);
    await expect(repo.loadUnpacked('index', id)).rejects.toMatchObject({ code: ErrorCode.Integrity });
  });

  it('writes packs whose header, size and index agree, and reads blobs back', async () => {
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const saver = new BlobSaver(repo, { packSizeBytes: 64 * 1024 });
    // Incompressible blobs, so that 40 of them need several 64 KiB packs.
    const blobs = Array.from({ length: 40 }, (_, i) => new Uint8Array(randomBytes(4000 + i)));
    // The saver takes over what it is given: hand it copies.
    for (const b of blobs) expect(await saver.save('data', b.slice())).toBe(true);
    expect(await saver.save('data', blobs[0]!.slice())).toBe(false);
    await saver.flush();
    expect(saver.stats.packsWritten).toBeGreaterThan(1);
    expect(saver.stats.indexFilesWritten).toBe(1);

    const reopened = await Repository.open(backend, 'pw');
    await reopened.loadIndex();
    expect(reopened.index.blobCount).toBe(40);
    for (const b of blobs) expect(await reopened.loadBlob('data', idOf(b))).toEqual(b);
    for await (const pack of backend.list('data')) {
      const bytes = await backend.load({ type: 'data', name: pack.name });
      expect(idOf(bytes)).toBe(pack.name);
      const parsed = parsePackHeader(reopened.key, bytes, bytes.byteLength);
      if (!('blobs' in parsed)) throw new Error('header not parsed');
      expect(expectedPackSize(parsed.blobs)).toBe(bytes.byteLength);
      for (const blob of parsed.blobs) {
        expect(reopened.index.lookup('data', blob.id)).toMatchObject({ packId: pack.name, offset: blob.offset, length: blob.length });
      }
    }
  });

  it('asks for more bytes when the given tail does not hold the whole header', async () => {
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const packer = new Packer('tree');
    for (let i = 0; i < 30; i++) packer.add(idOf(new Uint8Array([i])), new Uint8Array(64));
    const pack = packer.finish(repo.key);
    const bytes = Buffer.concat(pack.parts);
    expect(idOf(bytes)).toBe(pack.id);
    expect(bytes.length).toBe(pack.size);
    const result = parsePackHeader(repo.key, bytes.subarray(bytes.length - 100), bytes.length);
    expect(result).toEqual({ needBytes: 30 * 37 + 32 + 4 });
  });

  it('lets non-exclusive locks coexist and keeps an exclusive lock out', async () => {
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const a = await RepositoryLock.acquire(repo, { exclusive: false });
    const b = await RepositoryLock.acquire(repo, { exclusive: false });
    expect((await listLocks(repo)).length).toBe(2);
    const refused = await RepositoryLock.acquire(repo, { exclusive: true }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: ErrorCode.Locked });
    expect((refused as Error).message).toMatch(/lock .* is held by/);
    expect((await listLocks(repo)).length).toBe(2); // the refused lock was removed again
    await a.release();
    await b.release();
    const exclusive = await RepositoryLock.acquire(repo, { exclusive: true });
    await expect(RepositoryLock.acquire(repo, { exclusive: false })).rejects.toMatchObject({ code: ErrorCode.Locked });
    await exclusive.refresh();
    expect((await listLocks(repo)).map((l) => l.id)).toEqual([exclusive.id]);
    await exclusive.release();
    expect(await listLocks(repo)).toEqual([]);
  });
});
