/**
 * Partial snapshots: a backup that could not read some files still writes its snapshot,
 * marked with `read_errors`. restic 0.14 must not mind the mark; our listings show it, and
 * a restore or drill of such a snapshot (as `latest` or by id) says in one line that it is
 * not whole. The unreadable files are made by backing up as `nobody` (the tests run as root).
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'partial-tests';
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
const PARTIAL_WARNING = /snapshot ([0-9a-f]{8}) is partial: 2 files or directories could not be read when it was made and are not in it/;

describe('a snapshot written with read errors', () => {
  let dir: string;
  let repo: string;
  let source: string;
  let snapshotId: string;
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });
  const warnings = (stderr: string) => stderr.split('\n').filter((l) => PARTIAL_WARNING.test(l));

  beforeAll(async () => {
    dir = await makeTempDir('partial');
    await chmod(dir, 0o755);
    source = path.join(dir, 'data');
    await mkdir(path.join(source, 'locked-dir'), { recursive: true });
    await writeFile(path.join(source, 'ok.txt'), 'readable');
    await writeFile(path.join(source, 'secret.txt'), 'not for nobody');
    await writeFile(path.join(source, 'locked-dir/inner.txt'), 'hidden');
    await chmod(path.join(source, 'secret.txt'), 0o000);
    await chmod(path.join(source, 'locked-dir'), 0o000);
    repo = path.join(dir, 'repo');
    await initCheapRepository(repo, PASSWORD);
    await promisify(execFile)('chmod', ['-R', 'a+rwX', repo]);

    const backup = await runAsNobody([CLI, 'backup', '--json', source], { ...env(), HOME: dir, CHUNKVAULT_CACHE_DIR: path.join(dir, 'cache') });
    expect(backup.code, backup.stderr).toBe(3);
    snapshotId = JSON.parse(backup.stdout).snapshot_id;
    // Written by the backup, so that what the partial snapshot is is no test's own doing.
    const files = await readdir(path.join(repo, 'snapshots'));
    expect(files).toEqual([snapshotId]);
  });
  afterAll(() => removeDir(dir));

  it('is marked in our listing and JSON, and restic 0.14 lists, checks and restores it as any other', async () => {
    const table = await runCli(['snapshots'], env());
    expect(table.code, table.stderr).toBe(0);
    const [head, , row] = table.stdout.split('\n');
    expect(head).toMatch(/Paths\s+Partial$/);
    expect(row).toMatch(new RegExp(`^${snapshotId.slice(0, 8)} .* 2 not read$`));
    const json = await runCli(['snapshots', '--json'], env());
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ id: snapshotId, read_errors: 2 });

    const listed = JSON.parse(await restic(['snapshots', '--json'], { repo, password: PASSWORD, cacheDir: dir }));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: snapshotId, paths: [source] });
    expect(listed[0]).not.toHaveProperty('read_errors');
    expect(await restic(['check'], { repo, password: PASSWORD, cacheDir: dir })).toContain('no errors were found');
    const target = path.join(dir, 'restic-restore');
    await restic(['restore', 'latest', '--target', target], { repo, password: PASSWORD, cacheDir: dir });
    expect(await readFile(path.join(target, source, 'ok.txt'), 'utf8')).toBe('readable');
  });

  it('is restored as latest and by id with one warning line naming it', async () => {
    const latest = await runCli(['restore', 'latest', '--json', '--target', path.join(dir, 'ours-latest')], env());
    expect(latest.code, latest.stderr).toBe(0);
    expect(warnings(latest.stderr)).toHaveLength(1);
    expect(PARTIAL_WARNING.exec(latest.stderr)![1]).toBe(snapshotId.slice(0, 8));
    expect(JSON.parse(latest.stdout)).toMatchObject({ snapshot_id: snapshotId, snapshot_read_errors: 2, files_restored: 1 });

    const byId = await runCli(['restore', snapshotId.slice(0, 10), '--target', path.join(dir, 'ours-by-id')], env());
    expect(byId.code, byId.stderr).toBe(0);
    expect(warnings(byId.stderr)).toHaveLength(1);
  });

  it('is drilled with the warning, and a drill that fails its age still restores, verifies and measures the RTO', async () => {
    const r = await runCli(['drill', '--json', '--scratch', dir, '--max-snapshot-age', '1ms'], env());
    expect(r.code).toBe(1);
    expect(warnings(r.stderr)).toHaveLength(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ status: 'failed', failed_step: 'age', snapshot_id: snapshotId, snapshot_read_errors: 2, files_verified: 1 });
    expect(report.rto_seconds).toBeGreaterThan(0);
    const status = Object.fromEntries(report.steps.map((s: { id: string; status: string }) => [s.id, s.status]));
    expect(status).toEqual({ snapshot: 'passed', age: 'failed', restore: 'passed', verify: 'passed', command: 'skipped', rto: 'passed', cleanup: 'passed' });
    expect(report.steps.find((s: { id: string }) => s.id === 'age').detail).toMatch(/snapshot is [^,]+ old, more than the allowed 1 ms/);
    expect(report.steps.find((s: { id: string }) => s.id === 'snapshot').detail).toContain('partial: 2 unreadable files or directories not in it');

    const text = await runCli(['drill', '--scratch', dir, '--max-snapshot-age', '1ms'], env());
    expect(text.stdout).toMatch(/drill FAILED at 'Snapshot age': .*more than the allowed 1 ms.* \(recovery itself took [^)]+\)/);
  });

  it('shows the mark in the action: the drill and restore warn, and set it as an output and in the summary', async () => {
    const drill = await runAction({ repository: 'repo', password: PASSWORD, mode: 'drill' }, dir);
    expect(drill.code, drill.stdout).toBe(0);
    expect(drill.stdout.split('\n').filter((l) => l.startsWith('::warning::') && PARTIAL_WARNING.test(l))).toHaveLength(1);
    expect(drill.outputs['snapshot-read-errors']).toBe('2');
    expect(drill.summary).toContain('partial: 2 unreadable files or directories were not backed up in it');

    const restored = await runAction({ repository: 'repo', password: PASSWORD, mode: 'restore', target: 'action-restore' }, dir);
    expect(restored.code, restored.stdout).toBe(0);
    expect(restored.stdout.split('\n').filter((l) => l.startsWith('::warning::') && PARTIAL_WARNING.test(l))).toHaveLength(1);
    expect(restored.outputs['snapshot-read-errors']).toBe('2');
    expect(restored.summary).toContain('Partial snapshot');
  });

  // Last: it rewrites the snapshot.
  it('keeps the mark through our tag and copy, and loses it through restic tag, which rewrites from its own struct', async () => {
    const ours = await runCli(['tag', '--add', 'ours', 'latest'], env());
    expect(ours.code, ours.stderr).toBe(0);
    expect(JSON.parse((await runCli(['snapshots', '--json'], env())).stdout)[0]).toMatchObject({ tags: ['ours'], read_errors: 2 });
    const copyTarget = path.join(dir, 'copy');
    await initCheapRepository(copyTarget, PASSWORD);
    const copied = await runCli(['-r', copyTarget, 'copy', '--from-repo', repo], { RESTIC_PASSWORD: PASSWORD, RESTIC_FROM_PASSWORD: PASSWORD });
    expect(copied.code, copied.stderr).toBe(0);
    expect(JSON.parse((await runCli(['-r', copyTarget, 'snapshots', '--json'], { RESTIC_PASSWORD: PASSWORD })).stdout)[0]).toMatchObject({ tags: ['ours'], read_errors: 2 });
    await restic(['tag', '--add', 'theirs', 'latest'], { repo, password: PASSWORD, cacheDir: dir });
    const after = JSON.parse((await runCli(['snapshots', '--json'], env())).stdout)[0];
    expect(after.tags).toEqual(['ours', 'theirs']);
    expect(after).not.toHaveProperty('read_errors');
  });
});

function runAsNobody(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...argv], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
