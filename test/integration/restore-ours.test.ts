/**
 * Our own backups round-trip through our restore: bytes, modes, mtimes, symlinks, empty
 * directories, hard links and fifos; partial restores with include patterns; a target
 * that is not empty is refused; overwriting replaces entries without writing through
 * symlinks; the CLI command's output and exit codes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { runRestore } from '../../src/cli/commands/restore.ts';
import { Archiver } from '../../src/engine/archiver/archiver.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { restore } from '../../src/engine/commands/restore.ts';
import { ErrorCode } from '../../src/engine/errors.ts';
import { serializeSnapshot } from '../../src/engine/format/index.ts';
import { BlobSaver } from '../../src/engine/repository/blob-saver.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { captureOutput, NODE_TIME_TOLERANCE_NS, snapTimesToNodeGrid, stateDiff, stateOf } from '../helpers/restore.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree, compareTrees, describeTree } from '../helpers/tree.ts';

const PASSWORD = 'restore ours';
const FAST_KDF = { N: 16384, r: 8, p: 1 };

describe('restoring a repository written by chunkvault', () => {
  let dir: string;
  let source: string;
  let repoPath: string;
  let repo: Repository;
  let snapshotId: string;

  beforeAll(async () => {
    dir = await makeTempDir('restore-ours');
    source = path.join(dir, 'source');
    repoPath = path.join(dir, 'repo');
    fs.mkdirSync(source);
    await buildVariedTree(source, { bigFileBytes: 6 * 1024 * 1024 });
    // Hard links and a fifo, which the varied tree does not have.
    fs.mkdirSync(path.join(source, 'special'));
    fs.writeFileSync(path.join(source, 'special', 'linked-a'), 'one inode, two names\n');
    fs.linkSync(path.join(source, 'special', 'linked-a'), path.join(source, 'special', 'linked-b'));
    execFileSync('mkfifo', ['-m', '640', path.join(source, 'special', 'pipe')]);
    await Repository.init(new LocalBackend(repoPath), PASSWORD, { kdf: FAST_KDF });
    const writer = await Repository.open(new LocalBackend(repoPath), PASSWORD);
    snapshotId = (await backup(writer, { targets: [source], baseDir: dir, hostname: 'ci-host', tags: ['nightly'] })).snapshotId;
    repo = await Repository.open(new LocalBackend(repoPath), PASSWORD);
  });
  afterAll(() => removeDir(dir));

  it('restores identical bytes, modes, symlinks, empty directories and mtimes (within Node.js time precision)', async () => {
    const target = path.join(dir, 'full');
    const result = await restore(repo, { snapshot: snapshotId, target, verify: true });
    expect(result.snapshotId).toBe(snapshotId);
    expect(result.target).toBe(fs.realpathSync(target));
    expect(await compareTrees(source, path.join(target, source), { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual([]);
    const entries = await describeTree(source);
    const nonDirs = [...entries.values()].filter((e) => e.type !== 'dir').length;
    expect(result.filesRestored).toBe(nonDirs);
    const totalBytes = [...entries.values()].reduce((sum, e) => sum + e.size, 0);
    // The second name of a hard link counts its size again, as verification does.
    expect(result.bytesRestored).toBe(totalBytes);
    expect(result.warnings).toEqual([]);
    expect(result.verification).toEqual({ filesVerified: nonDirs, bytesVerified: totalBytes, problems: [] });
    // Hard links stay hard links; the fifo is a fifo with its mode.
    const a = fs.statSync(path.join(target, source, 'special', 'linked-a'));
    const b = fs.statSync(path.join(target, source, 'special', 'linked-b'));
    expect(b.ino).toBe(a.ino);
    const pipe = fs.lstatSync(path.join(target, source, 'special', 'pipe'));
    expect(pipe.isFIFO()).toBe(true);
    expect(pipe.mode & 0o7777).toBe(0o640);
  });

  it('sets every mtime to the nanosecond when Node.js can represent it, symlinks included', async () => {
    const exact = path.join(dir, 'exact-source');
    fs.mkdirSync(exact);
    await buildVariedTree(exact, { bigFileBytes: 64 * 1024 });
    snapTimesToNodeGrid(exact);
    const writer = await Repository.open(new LocalBackend(repoPath), PASSWORD);
    const saved = await backup(writer, { targets: [exact], baseDir: dir, hostname: 'exact-host' });
    const target = path.join(dir, 'exact');
    await restore(repo, { snapshot: saved.snapshotId.slice(0, 10), target });
    expect(await compareTrees(exact, path.join(target, exact), { symlinkMtimes: true })).toEqual([]);
  });

  it('restores only what the include patterns select, with the directories above it', async () => {
    const target = path.join(dir, 'partial');
    const include = ['hello.txt', path.join(source, 'names'), '*.sh', `${source}/level0/**/bottom.txt`];
    const result = await restore(repo, { snapshot: snapshotId, target, include, verify: true });
    const restored = [...(await describeTree(path.join(target, source))).keys()].sort();
    const names = [...(await describeTree(path.join(source, 'names'))).keys()].map((n) => `names/${n}`);
    const deep = Array.from({ length: 24 }, (_, i) => Array.from({ length: i + 1 }, (_, k) => `level${k}`).join('/'));
    expect(restored).toEqual(['hello.txt', 'names', ...names, 'script.sh', ...deep, `${deep[23]}/bottom.txt`].sort());
    expect(result.verification?.problems).toEqual([]);
    // What was selected is exact; the parents exist as directories.
    expect(fs.readFileSync(path.join(target, source, 'hello.txt'), 'utf8')).toBe('hello restic\n');
    expect(fs.statSync(path.join(target, source, 'script.sh')).mode & 0o7777).toBe(0o755);
    expect(fs.lstatSync(path.join(target, path.dirname(source))).isDirectory()).toBe(true);
  });

  it('refuses a target that is not an empty directory, and writes nothing', async () => {
    const target = path.join(dir, 'occupied');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'mine');
    const before = await stateOf(target);
    const error = await restore(repo, { snapshot: snapshotId, target }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput });
    expect((error as Error).message).toMatch(/is not empty \(1 entry\)/);
    expect(stateDiff(before, await stateOf(target))).toEqual([]);

    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(restore(repo, { target: file })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/not a directory/) });
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('overwrites existing entries, replacing symlinks instead of writing through them, and leaves other entries alone', async () => {
    const target = path.join(dir, 'overwrite');
    await restore(repo, { snapshot: snapshotId, target });
    const restoredSource = path.join(target, source);
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'secret'), 'outside secret\n');
    const outsideBefore = await stateOf(outside);
    // Damage the restored tree: changed content, symlinks out of the target in place of a
    // file and of a directory, a file where a directory was, and an extra file.
    fs.writeFileSync(path.join(restoredSource, 'hello.txt'), 'changed');
    fs.rmSync(path.join(restoredSource, 'private.key'));
    fs.symlinkSync(path.join(outside, 'secret'), path.join(restoredSource, 'private.key'));
    fs.rmSync(path.join(restoredSource, 'sticky'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'dir'), path.join(restoredSource, 'sticky'));
    fs.rmSync(path.join(restoredSource, 'empty-dir'), { recursive: true });
    fs.writeFileSync(path.join(restoredSource, 'empty-dir'), 'in the way');
    fs.writeFileSync(path.join(restoredSource, 'extra.txt'), 'not in the snapshot');

    await expect(restore(repo, { snapshot: snapshotId, target })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    const result = await restore(repo, { snapshot: snapshotId, target, overwrite: true, verify: true });

    expect(await compareTrees(source, restoredSource, { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual(['"extra.txt": unexpected extra entry']);
    expect(stateDiff(outsideBefore, await stateOf(outside))).toEqual([]);
    expect(result.verification?.problems).toEqual([`${source}/extra.txt: in the restored tree but not in the snapshot`]);
    // No temporary names are left behind.
    const leftovers = [...(await describeTree(target)).keys()].filter((k) => k.includes('.chunkvault-'));
    expect(leftovers).toEqual([]);
  });

  it('restores from many small packs, each read in one request and decoded whole by a worker', async () => {
    const many = path.join(dir, 'many-packs-source');
    fs.mkdirSync(many);
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(many, `part-${i}.bin`), pseudoRandomBytes(200 * 1024, 100 + i));
    fs.writeFileSync(path.join(many, 'large.bin'), pseudoRandomBytes(3 * 1024 * 1024, 99));
    const writer = await Repository.open(new LocalBackend(repoPath), PASSWORD);
    await writer.loadIndex();
    // Packs of 128 KiB instead of 16 MiB: a pack per blob, dozens of packs from a few MiB.
    const saver = new BlobSaver(writer, { packSizeBytes: 128 * 1024 });
    const tree = await new Archiver(writer, saver).archive([many], undefined);
    await saver.flush();
    expect(saver.stats.packsWritten).toBeGreaterThan(30);
    const snapshot = serializeSnapshot({ time: BigInt(Date.now()) * 1_000_000n, tree, paths: [many], hostname: 'many-packs' });
    const { id } = await writer.saveUnpacked('snapshot', snapshot);
    const target = path.join(dir, 'many-packs');
    const result = await restore(repo, { snapshot: id, target, verify: true });
    expect(await compareTrees(many, path.join(target, many), { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual([]);
    expect(result.verification?.problems).toEqual([]);
    expect(result.filesRestored).toBe(31);
  });

  it('stops when cancelled, with the error code for it, and leaves no lock behind', async () => {
    const controller = new AbortController();
    const error = await restore(repo, {
      snapshot: snapshotId,
      target: path.join(dir, 'cancelled'),
      signal: controller.signal,
      progressIntervalMs: 5,
      onProgress: (p) => {
        if (p.phase === 'restore') controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.Aborted });
    expect(fs.readdirSync(path.join(repoPath, 'locks'))).toEqual([]);
  });

  it('runs as the restore CLI command: JSON summary, verification and exit code 0', async () => {
    const target = path.join(dir, 'cli');
    const { out, results, warnings } = captureOutput();
    const env = { RESTIC_PASSWORD: PASSWORD };
    const code = await runRestore(
      { repo: repoPath, json: true, quiet: true },
      { target, host: ['ci-host'], tag: ['nightly'], verify: true },
      ['latest'],
      out,
      env,
      new AbortController().signal,
    );
    expect(warnings).toEqual([]);
    expect(code).toBe(0);
    const summary = JSON.parse(results[0]!);
    expect(summary).toMatchObject({ message_type: 'summary', snapshot_id: snapshotId, error_count: 0, verify: { problems: [] } });
    expect(summary.files_restored).toBe(summary.verify.files_verified);
    expect(await compareTrees(source, path.join(target, source), { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual([]);

    await expect(
      runRestore({ repo: repoPath, json: false, quiet: true }, { target: path.join(dir, 'cli-none'), host: ['no-such-host'] }, [], out, env, new AbortController().signal),
    ).rejects.toMatchObject({ code: ErrorCode.SnapshotNotFound, message: expect.stringMatching(/no snapshot found for host no-such-host/) });
    expect(fs.existsSync(path.join(dir, 'cli-none'))).toBe(false);
  });
});
