/**
 * One repository made by `restic init` and written by both tools: the same file yields the
 * same data blob IDs, whichever tool writes first, and no data is stored twice.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dumpLikeText, pseudoRandomBytes } from '../helpers/data.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const PASSWORD = 'shared';

describe('a repository shared by restic and chunkvault', () => {
  let dir: string;
  let repo: string;
  let source: string;
  const opts = () => ({ repo, password: PASSWORD, cacheDir: dir });
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });

  /** The content (blob ids) of a file in a snapshot, read with restic's own tools. */
  async function contentOf(snapshotId: string, absolutePath: string): Promise<string[]> {
    const snapshot = JSON.parse(await restic(['cat', 'snapshot', snapshotId], opts()));
    let tree: string = snapshot.tree;
    const parts = absolutePath.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const nodes = JSON.parse(await restic(['cat', 'blob', tree], opts())).nodes as { name: string; subtree?: string; content?: string[] }[];
      const node = nodes.find((n) => n.name === parts[i]);
      if (!node) throw new Error(`${parts.slice(0, i + 1).join('/')} not in snapshot ${snapshotId}`);
      if (i === parts.length - 1) return node.content ?? [];
      tree = node.subtree!;
    }
    throw new Error('unreachable');
  }

  async function dataBlobs(): Promise<string[]> {
    return (await restic(['list', 'blobs'], opts()))
      .split('\n')
      .filter((l) => l.startsWith('data '))
      .map((l) => l.slice(5));
  }

  beforeAll(async () => {
    dir = await makeTempDir('shared');
    repo = path.join(dir, 'repo');
    source = path.join(dir, 'src');
    await mkdir(source);
    await writeFile(path.join(source, 'random.bin'), pseudoRandomBytes(10 * 1024 * 1024, 5));
    // Both files over 8 MiB: at least two blobs each, whatever the repository's polynomial.
    await writeFile(path.join(source, 'dump.sql'), dumpLikeText(9 * 1024 * 1024, 9));
    await initCheapRepository(repo, PASSWORD);
  });
  afterAll(() => removeDir(dir));

  it('gives the same data blob ids as restic and stores no data twice', async () => {
    const byRestic = JSON.parse((await restic(['backup', '--json', source], opts())).trim().split('\n').pop()!);
    const blobsAfterRestic = await dataBlobs();

    const ours = await runCli(['backup', '--json', '--force', source], env());
    expect(ours.code, ours.stderr).toBe(0);
    const summary = JSON.parse(ours.stdout);
    expect(summary.data_added).toBe(0);
    expect(summary.data_blobs).toBe(0);

    const resticSnapshot = (JSON.parse(await restic(['snapshots', '--json'], opts())) as { id: string; short_id: string }[]).find((s) =>
      s.id.startsWith(byRestic.snapshot_id),
    )!;
    for (const name of ['random.bin', 'dump.sql']) {
      const theirs = await contentOf(resticSnapshot.id, path.join(source, name));
      const mine = await contentOf(summary.snapshot_id, path.join(source, name));
      expect(mine.length).toBeGreaterThan(1);
      expect(mine).toEqual(theirs);
    }
    const blobs = await dataBlobs();
    expect(new Set(blobs).size).toBe(blobs.length);
    expect(blobs.sort()).toEqual(blobsAfterRestic.sort());
  });

  it('lets restic back up what chunkvault stored without adding data', async () => {
    const extra = path.join(dir, 'second');
    await mkdir(extra);
    await writeFile(path.join(extra, 'other.bin'), pseudoRandomBytes(3 * 1024 * 1024, 77));
    const ours = await runCli(['backup', '--json', extra], env());
    expect(ours.code, ours.stderr).toBe(0);
    expect(JSON.parse(ours.stdout).data_added).toBeGreaterThan(0);
    const byRestic = JSON.parse((await restic(['backup', '--json', '--force', extra], opts())).trim().split('\n').pop()!);
    expect(byRestic.data_added).toBeLessThan(8192); // tree metadata only
    expect(byRestic.data_blobs).toBe(0);
  });

  it('passes restic check --read-data after both wrote', async () => {
    expect(await restic(['--no-cache', 'check', '--read-data'], opts())).toContain('no errors were found');
  });
});
