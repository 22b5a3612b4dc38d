/**
 * `rclone:` repositories, through the real rclone that restic 0.14 uses too: chunkvault
 * starts `rclone serve restic --stdio` and speaks HTTP/2 over its standard input and
 * output. What chunkvault writes through rclone, restic checks (--read-data) and restores
 * through the same rclone, byte for byte; the remotes are rclone's local paths, a named
 * remote configured only by RCLONE_CONFIG_* variables, and SFTP to a loopback sshd. Also:
 * the errors a user meets (rclone missing, an unknown remote), credentials of a
 * connection string never shown, and no rclone left running after the CLI, even on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { CHEAP_KDF } from '../helpers/cheap-repository.ts';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { NODE_TIME_TOLERANCE_NS } from '../helpers/restore.ts';
import { assertRcloneInstalled } from '../helpers/rclone-server.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { startSshServer, type SshServer } from '../helpers/sshd.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { compareTrees } from '../helpers/tree.ts';

const PASSWORD = 'rclone backend password';
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

/** Creates a repository through rclone with a cheap KDF: `create` and the first writes go over the stdio transport. */
async function initThroughRclone(location: string, env: Record<string, string>): Promise<void> {
  const { backend } = await openStorage(parseLocation(location, '/'), { env: { ...process.env, ...env } });
  try {
    await Repository.init(backend, PASSWORD, { kdf: CHEAP_KDF });
  } finally {
    await backend.close();
  }
}

/** Live (not zombie) rclone processes whose command line mentions `marker`. */
async function rcloneProcessesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      const state = /^\d+ \(.*\) (\S)/.exec(await readFile(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (path.basename(cmdline[0] ?? '') === 'rclone' && cmdline.some((a) => a.includes(marker)) && state !== 'Z') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

describe('rclone: repositories (rclone serve restic --stdio)', () => {
  let dir: string;
  let source: string;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { RESTIC_PASSWORD: PASSWORD, CHUNKVAULT_CACHE_DIR: path.join(dir, 'cache'), TZ: 'UTC', ...env }, dir);
  const resticOpts = (repo: string, env: Record<string, string> = {}) => ({ repo, password: PASSWORD, cacheDir: dir, env });

  beforeAll(async () => {
    assertRcloneInstalled();
    assertResticInstalled();
    dir = await makeTempDir('rclone-backend');
    source = path.join(dir, 'source');
    await mkdir(path.join(source, 'sub'), { recursive: true });
    await writeFile(path.join(source, 'data.bin'), pseudoRandomBytes(700_000, 13));
    await writeFile(path.join(source, 'sub', 'notes.txt'), 'through rclone\n');
    await writeFile(path.join(source, 'empty'), '');
    await symlink('sub/notes.txt', path.join(source, 'link'));
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it("backs up through rclone's local path and a named remote configured by environment variables; restic checks and restores it through rclone", async () => {
    const repo = path.join(dir, 'local-repo');
    // A remote rclone knows only from the environment, as a CI job configures one from secrets.
    const remoteEnv = { RCLONE_CONFIG_CVLOCAL_TYPE: 'local' };
    await initThroughRclone(`rclone:${repo}`, {});
    expect((await readdir(repo)).sort()).toEqual(['config', 'data', 'index', 'keys', 'locks', 'snapshots']);

    const backup = await cli(['-r', `rclone:cvlocal:${repo}`, 'backup', '--json', source], remoteEnv);
    expect(backup.code, backup.stderr).toBe(0);
    const snapshotId = JSON.parse(backup.stdout.trim().split('\n').at(-1)!).snapshot_id as string;
    expect(await readdir(path.join(repo, 'locks'))).toEqual([]);

    const ours = path.join(dir, 'restored-ours');
    const restore = await cli(['-r', `rclone:${repo}`, 'restore', snapshotId, '--target', ours]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await compareTrees(source, path.join(ours, source), { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual([]);

    const check = await restic(['--no-cache', 'check', '--read-data'], resticOpts(`rclone:cvlocal:${repo}`, remoteEnv));
    expect(check).toContain('no errors were found');
    const theirs = path.join(dir, 'restored-restic');
    await restic(['restore', snapshotId, '--target', theirs], resticOpts(`rclone:${repo}`));
    expect(await compareTrees(source, path.join(theirs, source))).toEqual([]);
    expect(await rcloneProcessesWith(repo)).toEqual([]);
  });

  it("backs up from the action, with rclone's lines in the log and a named remote from the job's environment, and leaves no rclone behind", async () => {
    const repo = path.join(dir, 'action-repo');
    await initThroughRclone(`rclone:${repo}`, {});
    const run = await runAction(
      { mode: 'backup', repository: 'rclone:cvaction:action-repo', password: PASSWORD, source: 'source', 'metadata-cache': 'false' },
      dir,
      undefined,
      // A relative path on a remote of type local starts at the workspace, as for a local repository.
      { RCLONE_CONFIG_CVACTION_TYPE: 'local', RCLONE_VERBOSE: '2' },
    );
    expect(run.code, run.stdout).toBe(0);
    // RCLONE_VERBOSE reached rclone, and what it printed reached the log, prefixed.
    expect(run.stdout).toMatch(/^rclone: .*DEBUG : rclone: Version .* starting with parameters .*"cvaction:action-repo"/m);
    expect(run.stdout.split('\n').filter((l) => l.includes(PASSWORD) && !l.startsWith('::add-mask::'))).toEqual([]);
    expect(run.outputs['snapshot-id']).toMatch(/^[0-9a-f]{64}$/);
    expect(await readdir(path.join(repo, 'snapshots'))).toEqual([run.outputs['snapshot-id']]);
    expect(await rcloneProcessesWith('cvaction:')).toEqual([]);
  });

  describe('over SFTP to a loopback sshd', () => {
    let ssh: SshServer;
    let sftpEnv: Record<string, string>;

    beforeAll(async () => {
      const sshDir = path.join(dir, 'ssh');
      await mkdir(sshDir);
      ssh = await startSshServer(sshDir);
      sftpEnv = {
        RCLONE_CONFIG_CVSFTP_TYPE: 'sftp',
        RCLONE_CONFIG_CVSFTP_HOST: ssh.host,
        RCLONE_CONFIG_CVSFTP_PORT: String(ssh.port),
        RCLONE_CONFIG_CVSFTP_USER: ssh.user,
        RCLONE_CONFIG_CVSFTP_KEY_FILE: ssh.keyFile,
        // The server's key is known: a changed key fails, as it should.
        RCLONE_CONFIG_CVSFTP_KNOWN_HOSTS_FILE: ssh.knownHostsFile,
      };
    });

    afterAll(async () => {
      await ssh?.stop();
    });

    it('backs up with chunkvault; restic checks --read-data and restores through the same remote, byte for byte', async () => {
      const repo = path.join(dir, 'sftp-repo');
      const location = `rclone:cvsftp:${repo}`;
      await initThroughRclone(location, sftpEnv);

      const backup = await cli(['-r', location, 'backup', '--json', source], sftpEnv);
      expect(backup.code, `${backup.stderr}\nsshd:\n${ssh.log()}`).toBe(0);
      const snapshotId = JSON.parse(backup.stdout.trim().split('\n').at(-1)!).snapshot_id as string;
      // The files went over SFTP into the directory the remote names.
      expect(await readdir(path.join(repo, 'snapshots'))).toEqual([snapshotId]);

      const check = await restic(['--no-cache', 'check', '--read-data'], resticOpts(location, sftpEnv));
      expect(check).toContain('no errors were found');
      const theirs = path.join(dir, 'sftp-restored-restic');
      await restic(['restore', snapshotId, '--target', theirs], resticOpts(location, sftpEnv));
      expect(await compareTrees(source, path.join(theirs, source))).toEqual([]);
    });
  });

  it('fails in one line naming what to fix when rclone is missing', async () => {
    const missing = await cli(['-r', `rclone:${dir}/nowhere`, '-o', 'rclone.program=/nonexistent/rclone', 'snapshots']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      "chunkvault snapshots: cannot run rclone: '/nonexistent/rclone' was not found; install rclone (https://rclone.org/install/, or apt-get install rclone) and put it on the PATH",
    );
  });

  it("says why rclone exited, in rclone's words, and passes its lines on prefixed", async () => {
    const lines: string[] = [];
    const opening = openStorage(parseLocation('rclone:cvnosuchremote:repo', dir), { env: process.env, onBackendLog: (line) => lines.push(line) });
    await expect(opening).rejects.toThrow(
      new BackendError('permanent', 'rclone exited with code 1: Failed to create file system for "cvnosuchremote:repo": didn\'t find section in config file'),
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.startsWith('rclone: '))).toBe(true);
  });

  it('never shows the credentials of a connection string, neither in its error nor in the rclone lines it passes on', async () => {
    const secret = 'Sup3rSecretPassValue';
    const lines: string[] = [];
    const location = parseLocation(`rclone::sftp,host=127.0.0.1,port=1,user=nobody,pass=${secret}:/repo`, dir);
    const error = await openStorage(location, { env: process.env, onBackendLog: (line) => lines.push(line) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^rclone exited with code 1: .*pass=\*\*\*/);
    // rclone names the remote, password and all, in what it prints: masked on the way through.
    expect(lines.join('\n')).toContain('pass=***');
    expect(`${error?.message}\n${lines.join('\n')}`).not.toContain(secret);
  });

  it('fails for good, without retrying, once rclone has died, saying how it ended', async () => {
    const repo = path.join(dir, 'killed-repo');
    let retries = 0;
    const { backend } = await openStorage(parseLocation(`rclone:${repo}`, '/'), { env: process.env, retry: { onRetry: () => retries++ } });
    try {
      await backend.create();
      const [pid, ...others] = await rcloneProcessesWith(repo);
      expect(others).toEqual([]);
      process.kill(pid!, 'SIGKILL');
      await expect(backend.stat({ type: 'config', name: '' })).rejects.toThrow(/^stat rclone:.*\/killed-repo\/config: rclone exited on SIGKILL$/);
      await expect(backend.load({ type: 'config', name: '' })).rejects.toThrow(/rclone exited on SIGKILL$/);
      expect(retries).toBe(0);
    } finally {
      await backend.close();
    }
  });

  it('on SIGTERM during a backup removes its lock through rclone, which then exits: nothing is left running', async () => {
    const repo = path.join(dir, 'sigterm-repo');
    await initThroughRclone(`rclone:${repo}`, {});
    const big = path.join(dir, 'big-source');
    await mkdir(big);
    await writeFile(path.join(big, 'big.bin'), pseudoRandomBytes(6_000_000, 7));
    // rclone slowed down so that the backup is still running when the signal comes.
    const child = spawn(process.execPath, [CLI, '-r', `rclone:${repo}`, 'backup', big], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, RESTIC_PASSWORD: PASSWORD, CHUNKVAULT_CACHE_DIR: path.join(dir, 'cache'), RCLONE_BWLIMIT: '1M' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The lock is written once rclone serves: the backup is under way.
    for (let i = 0; i < 200 && (await readdir(path.join(repo, 'locks'))).length === 0; i++) await sleep(50);
    expect(await rcloneProcessesWith(repo)).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('SIGTERM received');
    expect(await readdir(path.join(repo, 'locks'))).toEqual([]);
    expect(await rcloneProcessesWith(repo)).toEqual([]);
  });
});
