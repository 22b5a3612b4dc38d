/**
 * Deduplication and incremental backups: unchanged data is never stored twice, and a
 * small edit to a large file stores only the chunks that changed.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree } from '../helpers/tree.ts';
import { Chunker } from '../../src/engine/chunker/index.ts';
import { LocalBackend } from '../../src/backends/local.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { idOf } from '../../src/engine/format/id.ts';

const PASSWORD = 'dedup';

function chunkIds(data: Uint8Array, pol: bigint): Map<string, number> {
  const chunker = new Chunker(pol);
  chunker.reset();
  const out = new Map<string, number>();
  let start = 0;
  while (start < data.length) {
    const cut = chunker.next(data, start, data.length);
    const end = cut < 0 ? data.length : cut;
    out.set(idOf(data.subarray(start, end)), end - start);
    if (cut < 0) break;
    chunker.reset();
    start = end;
  }
  return out;
}

describe('deduplication', () => {
  let dir: string;
  let repo: string;
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });
  const backupJson = async (...args: string[]) => {
    const r = await runCli(['backup', '--json', '--host', 'h', ...args], env());
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    dir = await makeTempDir('dedup');
    repo = path.join(dir, 'repo');
    const r = await runCli(['init'], env());
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => removeDir(dir));

  it('adds almost nothing when the same tree is backed up again, with or without a parent', async () => {
    const source = path.join(dir, 'tree');
    await mkdir(source);
    await buildVariedTree(source, { bigFileBytes: 12 * 1024 * 1024 });
    const first = await backupJson(source);
    expect(first.data_added).toBeGreaterThan(12 * 1024 * 1024);

    const again = await backupJson(source);
    expect(again.parent_id).toBe(first.snapshot_id);
    expect(again.files_unmodified).toBe(first.files_new);
    expect(again.data_added).toBe(0);
    expect(again.bytes_added).toBeLessThan(4096); // the snapshot file alone

    const forced = await backupJson('--force', source);
    expect(forced.files_new).toBe(first.files_new); // every file read again...
    expect(forced.data_added).toBe(0); // ...and not one byte stored twice
    expect(forced.bytes_added).toBeLessThan(4096);
  });

  it('stores only the changed chunks of a large file after a small edit', async () => {
    const source = path.join(dir, 'large');
    await mkdir(source);
    const file = path.join(source, 'disk.img');
    const original = pseudoRandomBytes(32 * 1024 * 1024, 99);
    await writeFile(file, original);
    await backupJson(source);

    const edited = Buffer.from(original);
    edited.write('a small edit in the middle of the file', 17 * 1024 * 1024);
    await writeFile(file, edited);
    const after = await backupJson(source);

    const backend = new LocalBackend(repo);
    const opened = await Repository.open(backend, PASSWORD);
    const pol = opened.config.chunkerPolynomial;
    const before = chunkIds(original, pol);
    const now = chunkIds(await readFile(file), pol);
    const changedBytes = [...now].filter(([id]) => !before.has(id)).reduce((sum, [, len]) => sum + len, 0);
    expect(changedBytes).toBeGreaterThan(0);
    expect(after.files_changed).toBe(1);
    expect(after.data_added).toBe(changedBytes);
    expect(after.data_added).toBeLessThan(original.length / 4);
  });

  it('leaves a repository that restic check accepts', async () => {
    const out = await restic(['--no-cache', 'check', '--read-data'], { repo, password: PASSWORD, cacheDir: dir });
    expect(out).toContain('no errors were found');
  });
});
