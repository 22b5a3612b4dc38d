/**
 * The other half of the core promise: repositories that restic 0.14 writes at test time
 * (compression auto and off, a second snapshot with changes, a --stdin snapshot, and a
 * repository version 1) are listed and restored by chunkvault byte for byte.
 * A missing restic fails these tests: it never skips them.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { listSnapshots } from '../../src/engine/commands/find-snapshot.ts';
import { restore } from '../../src/engine/commands/restore.ts';
import { check } from '../../src/engine/commands/check.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { verifyRestoredTree } from '../../src/engine/restorer/verify.ts';
import { dumpLikeText } from '../helpers/data.ts';
import { NODE_TIME_TOLERANCE_NS, resticWithStdin } from '../helpers/restore.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree, compareTrees } from '../helpers/tree.ts';

const PASSWORD = 'written by restic';
const TIMES = { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS };

interface ResticSnapshot {
  id: string;
  paths: string[];
  hostname: string;
  tags?: string[];
}

describe('repositories written by restic 0.14, restored by chunkvault', () => {
  let dir: string;
  let source: string;
  /** The source as it was at the first backup (copied with cp -a: times to the nanosecond). */
  let firstState: string;
  let stdinData: Buffer;
  const repos: Record<'auto' | 'off' | 'v1', string> = { auto: '', off: '', v1: '' };
  const snapshots: Record<string, ResticSnapshot[]> = {};
  const opts = (repo: string) => ({ repo, password: PASSWORD, cacheDir: dir });
  const open = (repo: string) => Repository.open(new LocalBackend(repo), PASSWORD);

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('restore-restic');
    source = path.join(dir, 'source');
    fs.mkdirSync(source);
    await buildVariedTree(source, { bigFileBytes: 5 * 1024 * 1024 });
    for (const name of ['auto', 'off', 'v1'] as const) repos[name] = path.join(dir, `repo-${name}`);
    await Promise.all([
      restic(['init'], opts(repos.auto)),
      restic(['init'], opts(repos.off)),
      restic(['init', '--repository-version', '1'], opts(repos.v1)),
    ]);
    await Promise.all([
      restic(['backup', '--host', 'first-host', '--tag', 'one', source], opts(repos.auto)),
      restic(['backup', '--compression', 'off', source], opts(repos.off)),
      restic(['backup', source], opts(repos.v1)),
    ]);
    firstState = path.join(dir, 'first-state');
    execFileSync('cp', ['-a', source, firstState]);

    // Changes for a second snapshot: edited, added, removed, re-moded, a new empty dir.
    fs.appendFileSync(path.join(source, 'hello.txt'), 'a second line\n');
    fs.writeFileSync(path.join(source, 'added.txt'), 'new in the second snapshot\n');
    fs.rmSync(path.join(source, 'many', 'f007.txt'));
    fs.chmodSync(path.join(source, 'script.sh'), 0o700);
    fs.mkdirSync(path.join(source, 'new-empty-dir'));
    const big = fs.readFileSync(path.join(source, 'big.bin'));
    big.write('an edit in the middle of the big file', 2 * 1024 * 1024);
    fs.writeFileSync(path.join(source, 'big.bin'), big);
    stdinData = dumpLikeText(3 * 1024 * 1024, 11);
    await restic(['backup', '--host', 'second-host', '--tag', 'two', source], opts(repos.auto));
    await resticWithStdin(['backup', '--host', 'stdin-host', '--stdin', '--stdin-filename', 'dump.sql'], opts(repos.auto), stdinData);
    for (const name of ['auto', 'off', 'v1'] as const) {
      snapshots[name] = JSON.parse(await restic(['snapshots', '--json'], opts(repos[name]))) as ResticSnapshot[];
    }
  });
  afterAll(() => removeDir(dir));

  it('lists the snapshots restic wrote, with the same ids, hosts, tags and paths', async () => {
    for (const name of ['auto', 'off', 'v1'] as const) {
      const ours = await listSnapshots(await open(repos[name]));
      expect(ours.map((s) => s.id).sort()).toEqual(snapshots[name]!.map((s) => s.id).sort());
      for (const s of ours) {
        const theirs = snapshots[name]!.find((t) => t.id === s.id)!;
        expect(s.snapshot.paths).toEqual(theirs.paths);
        expect(s.snapshot.hostname).toBe(theirs.hostname);
        expect(s.snapshot.tags ?? []).toEqual(theirs.tags ?? []);
      }
    }
    expect(snapshots.auto).toHaveLength(3);
  });

  it('restores both snapshots of a compressed (auto) repository byte for byte, and verifies them', async () => {
    const repo = await open(repos.auto);
    const first = path.join(dir, 'auto-first');
    const r1 = await restore(repo, { snapshot: 'latest', filter: { tags: ['one'] }, target: first, verify: true });
    expect(r1.snapshotId).toBe(snapshots.auto!.find((s) => s.hostname === 'first-host')!.id);
    expect(await compareTrees(firstState, path.join(first, source), TIMES)).toEqual([]);
    expect(r1.verification?.problems).toEqual([]);

    const second = path.join(dir, 'auto-second');
    const r2 = await restore(repo, { filter: { hosts: ['second-host'] }, target: second });
    expect(await compareTrees(source, path.join(second, source), TIMES)).toEqual([]);
    const check = await verifyRestoredTree(repo, (await listSnapshots(repo)).find((s) => s.id === r2.snapshotId)!, second);
    expect(check.problems).toEqual([]);
    expect(check.bytesVerified).toBe(r2.bytesRestored);
  });

  it('restores a --stdin snapshot as the one file restic named', async () => {
    const repo = await open(repos.auto);
    const target = path.join(dir, 'stdin');
    const result = await restore(repo, { filter: { hosts: ['stdin-host'] }, target });
    expect(fs.readdirSync(target)).toEqual(['dump.sql']);
    expect(fs.readFileSync(path.join(target, 'dump.sql')).equals(stdinData)).toBe(true);
    expect(result).toMatchObject({ filesRestored: 1, dirsRestored: 0, bytesRestored: stdinData.length });
  });

  it.each(['auto', 'off', 'v1'] as const)('checks the %s repository with every pack read, finding no errors', async (name) => {
    const report = await check(await open(repos[name]), { readData: { kind: 'all' } });
    expect(report.errors).toEqual([]);
    expect(report.snapshotsChecked).toBe(snapshots[name]!.length);
    expect(report.packsRead).toBe(report.packsChecked);
    expect(report.blobsRead).toBeGreaterThan(0);
  });

  it('restores a repository with compression off byte for byte', async () => {
    const target = path.join(dir, 'off');
    const result = await restore(await open(repos.off), { target, verify: true });
    expect(await compareTrees(firstState, path.join(target, source), TIMES)).toEqual([]);
    expect(result.verification?.problems).toEqual([]);
  });

  it('restores a repository version 1 byte for byte', async () => {
    const repo = await open(repos.v1);
    expect(repo.version).toBe(1);
    const target = path.join(dir, 'v1');
    const result = await restore(repo, { target, verify: true });
    expect(await compareTrees(firstState, path.join(target, source), TIMES)).toEqual([]);
    expect(result.verification?.problems).toEqual([]);
  });

  it('restores part of a restic snapshot with include patterns', async () => {
    const target = path.join(dir, 'partial');
    await restore(await open(repos.v1), { target, include: ['/**/links', 'bottom.txt'] });
    const links = path.join(target, source, 'links');
    expect(fs.readdirSync(links).sort()).toEqual(['absolute', 'dangling', 'relative', 'to-dir']);
    expect(fs.readlinkSync(path.join(links, 'absolute'))).toBe('/etc/hostname');
    expect(fs.readdirSync(path.join(target, source)).sort()).toEqual(['level0', 'links']);
  });
});
