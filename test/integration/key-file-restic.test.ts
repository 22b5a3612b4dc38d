/**
 * Key files and the config against the real restic 0.14, both ways: we open what
 * `restic init` wrote, and restic opens and checks a repository whose key file and config
 * we wrote. A missing restic fails these tests, never skips them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFile, generateMasterKey, initCrypto, open, openKeyFile, seal } from '../../src/engine/crypto/index.ts';
import { idOf } from '../../src/engine/format/id.ts';
import { toHex, utf8 } from '../../src/engine/support/bytes.ts';
import { assertResticInstalled, restic as runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

// restic's default scrypt parameters: what `restic init` writes.
const RESTIC_KDF = { N: 16384, r: 8, p: 1 };

describe('interoperability with restic 0.14', () => {
  let dir: string | undefined;

  beforeAll(async () => {
    assertResticInstalled();
    await initCrypto();
  });

  afterEach(async () => {
    await removeDir(dir);
    dir = undefined;
  });

  function restic(repo: string, password: string, ...args: string[]): Promise<string> {
    return runRestic(['--no-cache', ...args], { repo, password, cacheDir: dir! });
  }

  it('opens the key file and config of a repository made by restic init', async () => {
    dir = await makeTempDir('crypto');
    const repo = join(dir, 'repo');
    await restic(repo, 'restic pw', 'init');
    const names = await readdir(join(repo, 'keys'));
    expect(names).toHaveLength(1);
    const keyBytes = await readFile(join(repo, 'keys', names[0]!));
    expect(idOf(keyBytes)).toBe(names[0]);
    const keyJson = JSON.parse(keyBytes.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(keyJson)).toEqual(['created', 'username', 'hostname', 'kdf', 'N', 'r', 'p', 'salt', 'data']);

    expect(await openKeyFile(keyBytes, 'not the password')).toBeUndefined();
    const master = await openKeyFile(keyBytes, 'restic pw');
    expect(master).toBeDefined();
    const config = JSON.parse(utf8.decode(open(master!, await readFile(join(repo, 'config'))))) as {
      version: number;
      id: string;
    };
    expect(config.version).toBe(2);
    expect(config.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets restic open a repository whose key file and config we made', async () => {
    dir = await makeTempDir('crypto');
    const repo = join(dir, 'repo');
    for (const sub of ['keys', 'index', 'snapshots', 'locks']) await mkdir(join(repo, sub), { recursive: true });
    for (let i = 0; i < 256; i++) await mkdir(join(repo, 'data', i.toString(16).padStart(2, '0')), { recursive: true });

    const master = generateMasterKey();
    const keyFile = await createKeyFile(master, 'our pw', { username: 'ci', hostname: 'runner' }, RESTIC_KDF);
    await writeFile(join(repo, 'keys', idOf(keyFile)), keyFile);
    const config = `{"version":2,"id":"${toHex(randomBytes(32))}","chunker_polynomial":"3da3358b4dc173"}`;
    await writeFile(join(repo, 'config'), seal(master, utf8.encode(config)));

    expect((await restic(repo, 'our pw', 'cat', 'config')).trim()).toBe(
      JSON.stringify(JSON.parse(config), null, '  '),
    );
    expect(await restic(repo, 'our pw', 'check')).toMatch(/no errors were found/);
    await expect(restic(repo, 'wrong pw', 'cat', 'config')).rejects.toThrow(/wrong password|no key found/);
  });
});
