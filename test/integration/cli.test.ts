/**
 * The CLI as users and scripts meet it: exit codes (restic's), unreadable files, signals
 * during a backup, and the snapshot listing.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { runCli, runCommand } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'cli-tests';
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

describe('the chunkvault CLI', () => {
  let dir: string;
  let repo: string;
  let big: string;
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });

  beforeAll(async () => {
    dir = await makeTempDir('cli');
    await chmod(dir, 0o755);
    repo = path.join(dir, 'repo');
    big = path.join(dir, 'big');
    await mkdir(big);
    for (let i = 0; i < 6; i++) await writeFile(path.join(big, `part${i}.bin`), pseudoRandomBytes(48 * 1024 * 1024, 100 + i));
    const init = await runCli(['init'], env());
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('created chunkvault repository');
  });
  afterAll(() => removeDir(dir));

  /** Starts a backup of `big`, waits for its lock file, then sends `signal`. */
  async function backupWithSignal(signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const child = spawn(process.execPath, [CLI, 'backup', '--json', '--force', big], { env: { ...process.env, ...env() } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 400 && (await readdir(path.join(repo, 'locks'))).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 400)); // well into the archive phase
    child.kill(signal);
    return { code: await exited, stderr, stdout };
  }

  it('keeps going on SIGHUP, which restic sends to probe lock holders', async () => {
    const r = await backupWithSignal('SIGHUP');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).snapshot_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops on SIGTERM with exit 130, removes its lock, writes no snapshot, and the next run reuses the stored packs', async () => {
    const before = (await readdir(path.join(repo, 'snapshots'))).length;
    const r = await backupWithSignal('SIGTERM');
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('SIGTERM');
    expect(await readdir(path.join(repo, 'locks'))).toEqual([]);
    expect((await readdir(path.join(repo, 'snapshots'))).length).toBe(before);
    expect(await restic(['--no-cache', 'check'], { repo, password: PASSWORD, cacheDir: dir })).toContain('no errors were found');
  });

  it('leaves unreadable files out, writes the snapshot and exits 3', async () => {
    const source = path.join(dir, 'partial');
    await mkdir(path.join(source, 'locked-dir'), { recursive: true });
    await writeFile(path.join(source, 'ok.txt'), 'readable');
    await writeFile(path.join(source, 'secret.txt'), 'not for nobody');
    await writeFile(path.join(source, 'locked-dir/inner.txt'), 'hidden');
    await chmod(path.join(source, 'secret.txt'), 0o000);
    await chmod(path.join(source, 'locked-dir'), 0o000);
    const repo2 = path.join(dir, 'repo-nobody');
    await mkdir(repo2, { mode: 0o777 });
    await chmod(repo2, 0o777);
    const asNobody = (args: string[]) =>
      runCommand(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args], {
        RESTIC_REPOSITORY: repo2,
        RESTIC_PASSWORD: PASSWORD,
        HOME: dir,
      });
    expect((await asNobody(['init'])).code).toBe(0);
    const r = await asNobody(['backup', '--json', source]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/secret\.txt.*permission denied/i);
    expect(r.stderr).toMatch(/locked-dir.*permission denied/i);
    const summary = JSON.parse(r.stdout);
    expect(summary.error_count).toBe(2);
    const listing = await restic(['ls', 'latest'], { repo: repo2, password: PASSWORD, cacheDir: dir });
    expect(listing).toContain(path.join(source, 'ok.txt'));
    expect(listing).not.toContain('secret.txt');
  });

  it('exits 12 on a wrong password, 10 without a repository, 11 when locked', async () => {
    const wrong = await runCli(['snapshots'], { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'nope' });
    expect(wrong.code).toBe(12);
    expect(wrong.stderr).toContain('wrong password');
    const missing = await runCli(['snapshots'], { RESTIC_REPOSITORY: path.join(dir, 'none'), RESTIC_PASSWORD: PASSWORD });
    expect(missing.code).toBe(10);
    expect(missing.stderr).toContain('no repository');

    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    const lock = await RepositoryLock.acquire(opened, { exclusive: true });
    try {
      const locked = await runCli(['backup', big], env());
      expect(locked.code).toBe(11);
      expect(locked.stderr).toContain('repository is locked');
    } finally {
      await lock.release();
    }
  });

  it('names a bad global flag in one line, without a stack trace', async () => {
    const r = await runCli(['--lock-wait', 'xyz', 'snapshots'], env());
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      "chunkvault snapshots: --lock-wait: 'xyz' is not a duration: use a number and a unit ms, s, m, h, d or w, such as 90s, 15m or 1h30m",
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.length).toBeLessThan(300);
  });

  it.each(['3', '0', 'abc'])('refuses init --repository-version %s and creates nothing', async (v) => {
    const where = path.join(dir, `init-version-${v}`);
    const r = await runCli(['init', '--repository-version', v], { RESTIC_REPOSITORY: where, RESTIC_PASSWORD: PASSWORD });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      `chunkvault init: --repository-version: '${v}' is not a repository version: use 1 or 2 (or 'latest', 'stable'); 2 is the default`,
    );
    await expect(readdir(where)).rejects.toThrow(/ENOENT/);
  });

  it('lists snapshots as a table and as restic-shaped JSON', async () => {
    const table = await runCli(['snapshots'], env());
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+Time\s+Host/m);
    const json = JSON.parse((await runCli(['snapshots', '--json'], env())).stdout);
    const theirs = JSON.parse(await restic(['snapshots', '--json'], { repo, password: PASSWORD, cacheDir: dir }));
    expect(json.map((s: { id: string }) => s.id)).toEqual(theirs.map((s: { id: string }) => s.id));
    expect(json[0]).toMatchObject({ hostname: theirs[0].hostname, paths: theirs[0].paths, tree: theirs[0].tree, time: theirs[0].time });
  });
});

describe('memory on a large file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('large');
  });
  afterAll(() => removeDir(dir));

  it('backs up a 2 GiB file with memory that does not grow with the file', async () => {
    // A sparse file reads as zeros at page-cache speed; its chunks are all alike, so the
    // repository stays tiny while every byte still goes through read, chunk and hash.
    const source = path.join(dir, 'src');
    await mkdir(source);
    const { open } = await import('node:fs/promises');
    const fh = await open(path.join(source, 'sparse.img'), 'w');
    await fh.truncate(2 * 1024 * 1024 * 1024);
    await fh.close();
    const env = { RESTIC_REPOSITORY: path.join(dir, 'repo'), RESTIC_PASSWORD: PASSWORD };
    expect((await runCli(['init'], env)).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'backup', '--json', source], { env: { ...process.env, ...env } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    let peakKiB = 0;
    const poll = setInterval(async () => {
      try {
        const status = await (await import('node:fs/promises')).readFile(`/proc/${child.pid}/status`, 'utf8');
        peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // exited
      }
    }, 25);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(poll);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.total_bytes_processed).toBe(2 * 1024 * 1024 * 1024);
    expect(summary.data_blobs).toBe(1); // 4096 chunks of 512 KiB zeros, stored once
    // Far below the file's size: streaming, not buffering (a 3 GiB file peaked at about 210 MiB here).
    expect(peakKiB).toBeGreaterThan(0);
    expect(peakKiB * 1024).toBeLessThan(400 * 1024 * 1024);
  });
});
