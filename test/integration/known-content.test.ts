/**
 * Files checked against an earlier blob list instead of being chunked (file-content.ts):
 * a fresh copy of the same content (CI's checkout: new mtimes and inodes), a file edited
 * in place, grown or shrunk, and a file moved to a new path (found through the content
 * cache). Every case must give exactly the blobs that chunking the file gives, which a
 * following backup with pure chunking (--force, no cache) proves by adding no data, and
 * restic must accept the repository and restore the same bytes.
 */
import { appendFile, cp, mkdir, open, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dumpLikeText, pseudoRandomBytes } from '../helpers/data.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'known-content';
const MiB = 1024 * 1024;

describe('backing up files whose content was stored before', () => {
  let dir: string;
  let repo: string;
  let cacheDir: string;
  let source: string;
  const env = (extra: Record<string, string> = {}) => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD, CHUNKVAULT_CACHE_DIR: cacheDir, ...extra });
  const backupJson = async (args: string[], extra: Record<string, string> = {}) => {
    const r = await runCli(['backup', '--json', '--host', 'h', ...args], env(extra));
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, number | string | null>;
  };
  /** Chunks everything again, trusting nothing: must find every blob already stored. */
  const expectPureChunkingAddsNothing = async (target: string) => {
    const pure = await backupJson(['--force', target], { CHUNKVAULT_NO_CACHE: '1' });
    expect(pure.bytes_verified).toBe(0);
    expect(pure.data_added).toBe(0);
  };
  /** A copy made anew (new inode and mtime), replacing the original, as a fresh checkout does. */
  const freshCopy = async (dirPath: string) => {
    await cp(dirPath, `${dirPath}.new`, { recursive: true });
    await rm(dirPath, { recursive: true });
    await rename(`${dirPath}.new`, dirPath);
  };

  beforeAll(async () => {
    dir = await makeTempDir('known-content');
    repo = path.join(dir, 'repo');
    cacheDir = path.join(dir, 'cache');
    source = path.join(dir, 'src');
    await mkdir(source);
    await writeFile(path.join(source, 'dump.sql'), dumpLikeText(24 * MiB, 5));
    await writeFile(path.join(source, 'random.bin'), pseudoRandomBytes(9 * MiB, 6));
    await writeFile(path.join(source, 'small.txt'), 'small files are one blob named by their hash\n');
    const r = await runCli(['init'], env());
    expect(r.code, r.stderr).toBe(0);
    const first = await backupJson([source]);
    expect(first.bytes_verified).toBe(0);
  });
  afterAll(() => removeDir(dir));

  it('checks a fresh copy of the same content by hash: nothing chunked, nothing added', async () => {
    await freshCopy(source);
    const again = await backupJson([source]);
    expect(again.files_unmodified).toBe(0); // new inodes: the metadata match fails...
    expect(again.bytes_verified).toBe(33 * MiB); // ...and both large files were checked, not chunked
    expect(again.data_added).toBe(0);
  });

  it('chunks only around edits, and gives the blobs chunking gives, for files edited, grown and shrunk', async () => {
    const dump = path.join(source, 'dump.sql');
    const fh = await open(dump, 'r+');
    for (const at of [1000, 9 * MiB, 20 * MiB]) await fh.write(Buffer.from('EDITED '.repeat(500)), 0, 3500, at);
    await fh.close();
    await appendFile(path.join(source, 'random.bin'), pseudoRandomBytes(3 * MiB, 7));
    const edited = await backupJson([source]);
    expect(edited.bytes_verified).toBeGreaterThan(20 * MiB);
    expect(edited.data_added).toBeGreaterThan(0);
    expect(edited.data_added).toBeLessThan(18 * MiB); // of 36 MiB: only chunks around the edits
    await expectPureChunkingAddsNothing(source);

    await truncate(path.join(source, 'random.bin'), 5 * MiB + 12345);
    const shrunk = await backupJson([source]);
    expect(shrunk.bytes_verified).toBeGreaterThan(0);
    await expectPureChunkingAddsNothing(source);
  });

  it('finds a moved file through the content cache, and not without it', async () => {
    const moved = path.join(dir, 'elsewhere');
    await mkdir(moved);
    await cp(path.join(source, 'dump.sql'), path.join(moved, 'renamed.sql'));
    const found = await backupJson([moved]);
    expect(found.parent_id).toBeNull();
    expect(found.bytes_verified).toBe(24 * MiB);
    expect(found.data_added).toBe(0);
    const uncached = await backupJson(['--force', moved], { CHUNKVAULT_NO_CACHE: '1' });
    expect(uncached.bytes_verified).toBe(0);
    expect(uncached.data_added).toBe(0);
  });

  it('ignores a damaged content cache and rewrites it', async () => {
    const config = JSON.parse(await restic(['cat', 'config'], { repo, password: PASSWORD, cacheDir: dir })) as { id: string };
    const file = path.join(cacheDir, config.id, 'content-cache');
    const sealed = await readFile(file);
    sealed[sealed.length - 40]! ^= 1;
    await writeFile(file, sealed);
    const copyTo = async (name: string) => {
      const where = path.join(dir, name);
      await mkdir(where);
      await cp(path.join(source, 'dump.sql'), path.join(where, 'again.sql'));
      return where;
    };
    const damaged = await backupJson([await copyTo('damaged-cache')]);
    expect(damaged.bytes_verified).toBe(0); // no candidate from a cache that fails its MAC
    expect(damaged.data_added).toBe(0);
    const rewritten = await backupJson([await copyTo('rewritten-cache')]);
    expect(rewritten.parent_id).toBeNull();
    expect(rewritten.bytes_verified).toBe(24 * MiB);
  });

  it('leaves a repository restic checks and restores byte for byte', async () => {
    const opts = { repo, password: PASSWORD, cacheDir: dir };
    expect(await restic(['check', '--read-data'], opts)).toContain('no errors were found');
    const target = path.join(dir, 'restored');
    await restic(['restore', 'latest', '--host', 'h', '--path', source, '--target', target], opts);
    for (const name of ['dump.sql', 'random.bin', 'small.txt']) {
      expect((await readFile(path.join(target, source, name))).equals(await readFile(path.join(source, name))), name).toBe(true);
    }
  });
});
