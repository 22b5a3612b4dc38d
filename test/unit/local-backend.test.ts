/** The storage contract, on the local backend: atomic saves, ranged loads, listing, modes. */
import { readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { isNotFound } from '../../src/engine/storage/errors.ts';
import { idOf } from '../../src/engine/format/id.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

describe('LocalBackend', () => {
  let dir: string;
  let backend: LocalBackend;
  beforeEach(async () => {
    dir = await makeTempDir('local');
    backend = new LocalBackend(path.join(dir, 'repo'));
    await backend.create();
  });
  afterEach(() => removeDir(dir));

  it('creates restic\'s directory layout with 0700 directories', async () => {
    const top = (await readdir(path.join(dir, 'repo'))).sort();
    expect(top).toEqual(['data', 'index', 'keys', 'locks', 'snapshots']);
    expect((await readdir(path.join(dir, 'repo/data'))).length).toBe(256);
    expect((await stat(path.join(dir, 'repo/data/ab'))).mode & 0o777).toBe(0o700);
  });

  it('saves files read-only under data/<2 hex>/<id>, loads whole files and ranges', async () => {
    const data = new TextEncoder().encode('0123456789abcdef');
    const id = idOf(data);
    await backend.save({ type: 'data', name: id }, data);
    const file = path.join(dir, 'repo/data', id.slice(0, 2), id);
    expect((await stat(file)).mode & 0o777).toBe(0o400);
    expect(new TextDecoder().decode(await backend.load({ type: 'data', name: id }))).toBe('0123456789abcdef');
    expect(new TextDecoder().decode(await backend.load({ type: 'data', name: id }, 4, 10))).toBe('abcd');
    expect(new TextDecoder().decode(await backend.load({ type: 'data', name: id }, 0, 12))).toBe('cdef');
    expect(await backend.stat({ type: 'data', name: id })).toEqual({ name: id, size: 16 });
    await expect(backend.load({ type: 'data', name: id }, 10, 10)).rejects.toThrow(/short read/);
  });

  it('lists only names that are ids, skipping temp files', async () => {
    const a = idOf(new Uint8Array([1]));
    const b = idOf(new Uint8Array([2]));
    await backend.save({ type: 'snapshot', name: b }, new Uint8Array([2]));
    await backend.save({ type: 'snapshot', name: a }, new Uint8Array([1]));
    await writeFile(path.join(dir, 'repo/snapshots', `${a}-tmp-123`), 'partial');
    const names = [];
    for await (const f of backend.list('snapshot')) names.push(f.name);
    expect(names).toEqual([a, b].sort());
  });

  it('reports a missing file as not-found and removes idempotently', async () => {
    const id = idOf(new Uint8Array([9]));
    const error = await backend.load({ type: 'index', name: id }).catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
    await backend.save({ type: 'index', name: id }, new Uint8Array([9]));
    await backend.remove({ type: 'index', name: id });
    await backend.remove({ type: 'index', name: id });
    expect(isNotFound(await backend.stat({ type: 'index', name: id }).catch((e: unknown) => e))).toBe(true);
  });

  it('refuses to create a repository over an existing one', async () => {
    await backend.save({ type: 'config', name: '' }, new Uint8Array([1]));
    await expect(backend.create()).rejects.toThrow(/already exists/);
  });
});
