/**
 * A damaged repository on a user's worst day, side by side with restic 0.14: one snapshot
 * file that cannot be read leaves the others listed (with a warning) and restorable by id;
 * a directory whose tree cannot be read is named, and everything else is restored, the same
 * files restic restores, while the restore still fails.
 */
import { open, mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { describeTree } from '../helpers/tree.ts';

const PASSWORD = 'damaged';

describe('salvaging a damaged repository', () => {
  let dir: string;
  let source: string;

  const cli = (repo: string, args: string[]) => runCli(['-r', repo, ...args], { RESTIC_PASSWORD: PASSWORD, TZ: 'UTC' }, dir);
  const restic = (repo: string, args: string[]) => runRestic(args, { repo, password: PASSWORD, cacheDir: path.join(dir, 'restic-cache') });

  /** A repository with two snapshots of the source; returns them oldest first. */
  async function twoSnapshots(name: string): Promise<{ repo: string; ids: [string, string] }> {
    const repo = path.join(dir, name);
    await initCheapRepository(repo, PASSWORD);
    for (let i = 0; i < 2; i++) {
      await writeFile(path.join(source, 'good', 'changing.txt'), `version ${i}\n`);
      const r = await cli(repo, ['backup', '--host', 'h', source]);
      expect(r.code, r.stderr).toBe(0);
    }
    const list = JSON.parse((await cli(repo, ['--json', 'snapshots'])).stdout) as { id: string }[];
    return { repo, ids: list.map((s) => s.id) as [string, string] };
  }

  /** Flips one byte at `offset` of a repository file. */
  async function flipByte(file: string, offset: number): Promise<void> {
    const fh = await open(file, 'r+');
    try {
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, offset);
      b[0]! ^= 0x5a;
      await fh.write(b, 0, 1, offset);
    } finally {
      await fh.close();
    }
  }

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-salvage-');
    source = path.join(dir, 'src');
    await mkdir(path.join(source, 'good', 'deeper'), { recursive: true });
    await mkdir(path.join(source, 'lost', 'inner'), { recursive: true });
    await writeFile(path.join(source, 'top.bin'), pseudoRandomBytes(120_000, 1));
    await writeFile(path.join(source, 'good', 'deeper', 'kept.bin'), pseudoRandomBytes(90_000, 2));
    await writeFile(path.join(source, 'lost', 'a.txt'), 'in the damaged directory\n');
    await writeFile(path.join(source, 'lost', 'inner', 'b.txt'), 'below it\n');
  });
  afterAll(() => removeDir(dir));

  it('an unreadable snapshot file: the others are listed with a warning and restore by id, as with restic; latest is refused', async () => {
    const { repo, ids } = await twoSnapshots('snapshot-damage');
    const [older, newer] = ids;
    await flipByte(path.join(repo, 'snapshots', newer), 40);

    const ours = await cli(repo, ['--json', 'snapshots']);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stderr).toMatch(new RegExp(`could not load snapshot ${newer.slice(0, 8)}`));
    const theirs = await restic(repo, ['snapshots', '--json', '--no-lock']);
    const listed = (text: string) => (JSON.parse(text) as { id: string }[]).map((s) => s.id);
    expect(listed(ours.stdout)).toEqual([older]);
    expect(listed(theirs.stdout)).toEqual([older]);

    const target = path.join(dir, 'by-id');
    const restored = await cli(repo, ['restore', older.slice(0, 8), '--target', target]);
    expect(restored.code, restored.stderr).toBe(0);
    expect((await describeTree(path.join(target, source))).get('good/changing.txt')?.size).toBe('version 0\n'.length);

    const latest = await cli(repo, ['restore', 'latest', '--target', path.join(dir, 'latest')]);
    expect(latest.code).toBe(1);
    expect(latest.stderr.trim().split('\n')[0]).toMatch(
      new RegExp(`^chunkvault restore: cannot tell which snapshot is the latest: 1 snapshot file\\(s\\) cannot be read \\(${newer.slice(0, 8)}: .*name a snapshot by id instead`),
    );
    const damaged = await cli(repo, ['restore', newer.slice(0, 8), '--target', path.join(dir, 'damaged')]);
    expect(damaged.stderr).toMatch(new RegExp(`snapshot ${newer.slice(0, 8)} cannot be read`));
  });

  it('an unreadable directory tree: everything else is restored (the same files restic restores), the directory is named, the restore fails', async () => {
    const { repo, ids } = await twoSnapshots('tree-damage');
    const snapshot = ids[1];
    // Find the tree of <source>/lost and damage it inside its pack.
    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    await opened.loadIndex();
    const snap = (await opened.listSnapshots()).find((s) => s.id === snapshot)!;
    let tree = snap.snapshot.tree;
    for (const name of [...source.split('/').filter(Boolean), 'lost']) {
      const node = (await opened.loadTree(tree)).find((n) => Buffer.from(n.name).toString() === name)!;
      tree = node.subtree!;
    }
    const loc = opened.index.lookup('tree', tree)!;
    await flipByte(path.join(repo, 'data', loc.packId.slice(0, 2), loc.packId), loc.offset + 20);

    const ourTarget = path.join(dir, 'ours');
    const ours = await cli(repo, ['restore', snapshot, '--target', ourTarget]);
    expect(ours.code).toBe(1);
    expect(ours.stderr).toMatch(new RegExp(`${path.join(source, 'lost').replaceAll('/', '\\/')}: its contents cannot be restored: tree ${tree}`));
    expect(ours.stderr).not.toMatch(/^\s+at /m);

    const theirTarget = path.join(dir, 'theirs');
    const theirs = await restic(repo, ['restore', snapshot, '--target', theirTarget, '--no-lock']);
    expect(theirs.code).not.toBe(0);

    const files = async (root: string) => [...(await describeTree(path.join(root, source))).entries()].filter(([, e]) => e.type === 'file').map(([rel, e]) => `${rel} ${e.sha256}`).sort();
    const ourFiles = await files(ourTarget);
    expect(ourFiles).toEqual(await files(theirTarget));
    expect(ourFiles.map((f) => f.split(' ')[0])).toEqual(['good/changing.txt', 'good/deeper/kept.bin', 'top.bin']);
    // The damaged directory itself exists (its own entry is in the parent's tree), empty.
    expect(await readdir(path.join(ourTarget, source, 'lost'))).toEqual([]);
  });
});
