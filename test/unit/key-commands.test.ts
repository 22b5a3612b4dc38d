/**
 * Key rotation's ordering rule: the old key file goes only after the new one is stored and
 * opens the master key; a failure on the way leaves the repository's keys as they were.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { addKey, changePassword, removeKey } from '../../src/engine/commands/key.ts';
import { Repository, type CallOptions, type Handle, type Payload } from '../../src/engine/index.ts';

const FAST_KDF = { N: 1024, r: 8, p: 1 };

/** Once told to, fails every save of a key file: the new key never becomes durable. */
class KeySaveFails extends MemoryBackend {
  failKeySaves = false;
  override async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    if (this.failKeySaves && h.type === 'key') throw new Error('disk full');
    return super.save(h, data, opts);
  }
}

async function keyNames(backend: MemoryBackend): Promise<string[]> {
  const names: string[] = [];
  for await (const f of backend.list('key')) names.push(f.name);
  return names.sort();
}

describe('key commands', () => {
  it('passwd switches to the new key, removes the old one, and the old password no longer opens', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend, 'old', { kdf: FAST_KDF });
    const old = repo.keyId;
    const r = await changePassword(repo, 'new', { kdf: FAST_KDF });
    expect(r.removed).toBe(old);
    expect(repo.keyId).toBe(r.added);
    expect(await keyNames(backend)).toEqual([r.added]);
    expect((await Repository.open(backend, 'new')).keyId).toBe(r.added);
    await expect(Repository.open(backend, 'old')).rejects.toMatchObject({ code: 'ERR_WRONG_PASSWORD' });
  });

  it('passwd keeps the old key when the new one cannot be saved', async () => {
    const backend = new KeySaveFails();
    const failing = await Repository.init(backend, 'old', { kdf: FAST_KDF });
    backend.failKeySaves = true;
    const before = await keyNames(backend);
    await expect(changePassword(failing, 'new', { kdf: FAST_KDF })).rejects.toThrow(/disk full/);
    expect(await keyNames(backend)).toEqual(before);
    expect(failing.keyId).toBe(before[0]);
    expect((await Repository.open(backend, 'old')).keyId).toBe(before[0]);
  });

  it('remove refuses the key in use, and an empty new password is refused before anything is written', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    await expect(removeKey(repo, repo.keyId.slice(0, 6))).rejects.toThrow(/refusing to remove key .* the only key/);
    await expect(addKey(repo, '', { kdf: FAST_KDF })).rejects.toThrow(/empty/);
    await expect(changePassword(repo, '', { kdf: FAST_KDF })).rejects.toThrow(/empty/);
    expect(await keyNames(backend)).toEqual([repo.keyId]);
    const added = await addKey(repo, 'second', { kdf: FAST_KDF, username: 'u', hostname: 'h' });
    // restic switches to the key it added; the first key can now be removed.
    expect(repo.keyId).toBe(added);
    const first = (await keyNames(backend)).find((k) => k !== added)!;
    expect(await removeKey(repo, first)).toBe(first);
    expect(await keyNames(backend)).toEqual([added]);
  });
});
