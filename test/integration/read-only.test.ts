/**
 * Least privilege, local edition: a user who may read the repository but not write to it
 * (here: nobody, against a directory root owns) restores, drills, checks, lists, diffs,
 * dumps and finds, each run without a lock and saying so once; what needs to write or
 * delete fails with a clear line and leaves the repository as it was. `--no-lock` runs a
 * read command next to an exclusive lock, as restic's flag does. The same holds on the S3
 * server for a user whose only right is a Swift read ACL on the bucket, and for a REST server
 * (rclone's, behind a proxy) that answers 403 to every write and delete.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Agent, fetch } from 'undici';
import { initCheapRepository, initCheapRepositoryAt } from '../helpers/cheap-repository.ts';
import { runCli, runCommand } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { repositoryFingerprint } from '../helpers/prune-fixture.ts';
import { S3_LIMITED_ACCESS_KEY_ID, S3_LIMITED_SECRET_ACCESS_KEY } from '../helpers/s3-server.ts';
import { startFlakyProxy } from '../helpers/flaky-proxy.ts';
import { sharedRestServer, sharedS3Server } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'read only';
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
const UNLOCKED = /running without a lock, as the storage refused the lock file/;

describe('a repository the user may only read', () => {
  let dir: string;
  let repo: string;
  let source: string;
  let home: string;
  let first: string;
  let second: string;

  /** The CLI as the unprivileged user nobody (uid 65534), who may read the repository but not write to it. */
  const asNobody = (args: string[]) =>
    runCommand(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, '-r', repo, ...args], {
      RESTIC_PASSWORD: PASSWORD,
      HOME: home,
      TZ: 'UTC',
    });
  const asOwner = (args: string[]) => runCli(['-r', repo, ...args], { RESTIC_PASSWORD: PASSWORD, TZ: 'UTC' }, dir);

  beforeAll(async () => {
    dir = await makeTempDir('cv-read-only-');
    // nobody must be able to reach the repository (read) and its own home and targets (write).
    await chmod(dir, 0o755);
    repo = path.join(dir, 'repo');
    source = path.join(dir, 'src');
    home = path.join(dir, 'home');
    await mkdir(home, { mode: 0o777 });
    await chmod(home, 0o777);
    await mkdir(source);
    await writeFile(path.join(source, 'data.bin'), pseudoRandomBytes(300_000, 3));
    await writeFile(path.join(source, 'notes.txt'), 'first\n');
    await initCheapRepository(repo, PASSWORD);
    expect((await asOwner(['backup', source])).code).toBe(0);
    await writeFile(path.join(source, 'notes.txt'), 'second\n');
    expect((await asOwner(['backup', source])).code).toBe(0);
    const list = JSON.parse((await asOwner(['--json', 'snapshots'])).stdout) as { id: string }[];
    [first, second] = list.map((s) => s.id) as [string, string];
    // Readable to all, writable by its owner only: what a read-only mount or share gives.
    expect((await runCommand(['chmod', '-R', 'a+rX', repo], {})).code).toBe(0);
  }, 60_000);
  afterAll(() => removeDir(dir));

  it('restore, check, snapshots, ls, diff, stats, dump and find work without a lock, each saying so once', async () => {
    const before = await repositoryFingerprint(repo);
    const target = path.join(dir, 'target');
    await mkdir(target, { mode: 0o777 });
    await chmod(target, 0o777);

    const restored = await asNobody(['restore', 'latest', '--target', target]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr.match(new RegExp(UNLOCKED, 'g')), restored.stderr).toHaveLength(1);
    expect(await readFile(path.join(target, source, 'data.bin'))).toEqual(await readFile(path.join(source, 'data.bin')));
    expect(await readFile(path.join(target, source, 'notes.txt'), 'utf8')).toBe('second\n');

    const checked = await asNobody(['check', '--read-data']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('no errors were found');
    expect(checked.stderr).toMatch(UNLOCKED);

    const reads: [string[], RegExp][] = [
      [['snapshots'], /2 snapshots/],
      [['ls', 'latest'], /notes\.txt/],
      [['diff', first, second], /M +\/.*notes\.txt/],
      [['stats', 'latest'], /Total File Count/],
      [['dump', 'latest', path.join(source, 'notes.txt')], /^second\n$/],
      [['find', 'notes.txt'], /notes\.txt/],
    ];
    for (const [args, expected] of reads) {
      const r = await asNobody(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(expected);
    }
    expect(await repositoryFingerprint(repo)).toBe(before);
  });

  it('backup and forget fail with one line that names the refusal, and change nothing', async () => {
    const before = await repositoryFingerprint(repo);
    for (const args of [['backup', source], ['forget', '--keep-last', '1']]) {
      const r = await asNobody(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      const first = r.stderr.trim().split('\n')[0]!;
      expect(first, args.join(' ')).toMatch(/^chunkvault (backup|forget): save .*locks\/[0-9a-f]{64}: permission denied \(the repository is read-only to this user\)$/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(await repositoryFingerprint(repo)).toBe(before);
  });

  it('--no-lock lets a read run next to an exclusive lock, which otherwise stops it', async () => {
    const opened = await Repository.open(new LocalBackend(repo), PASSWORD);
    const lock = await RepositoryLock.acquire(opened, { exclusive: true });
    try {
      const target = path.join(dir, 'beside-lock');
      const locked = await asOwner(['restore', 'latest', '--target', target]);
      expect(locked.code).toBe(11);
      const unlocked = await asOwner(['--no-lock', 'restore', 'latest', '--target', target]);
      expect(unlocked.code, unlocked.stderr).toBe(0);
      expect(unlocked.stderr).not.toMatch(UNLOCKED);
      expect(await readFile(path.join(target, source, 'notes.txt'), 'utf8')).toBe('second\n');
      const checked = await asOwner(['check', '--no-lock']);
      expect(checked.code, checked.stderr).toBe(0);
    } finally {
      await lock.release();
    }
  });
});

describe('a REST server that refuses writes', () => {
  it('restore and check work without a lock; backup is refused, and nothing is written', async () => {
    const rest = await sharedRestServer();
    const dir = await makeTempDir('cv-read-only-rest-');
    const name = `read-only-${Date.now()}`;
    const proxy = await startFlakyProxy(rest.url, { failureRate: 0, seed: 1, refuse: (method) => method === 'POST' || method === 'DELETE' });
    try {
      const direct = rest.repository(name);
      const viaProxy = rest.repositoryUrl(name);
      viaProxy.host = new URL(proxy.url).host;
      const readOnly = `rest:${viaProxy.href}`;
      const cli = (location: string, args: string[]) => runCli(['-r', location, ...args], { RESTIC_PASSWORD: PASSWORD, TZ: 'UTC' }, dir);
      const source = path.join(dir, 'src');
      await mkdir(source);
      await writeFile(path.join(source, 'data.bin'), pseudoRandomBytes(150_000, 4));
      await initCheapRepositoryAt(direct, PASSWORD, {});
      expect((await cli(direct, ['backup', source])).code).toBe(0);
      const before = await repositoryFingerprint(path.join(rest.dir, name));

      const target = path.join(dir, 'target');
      const restored = await cli(readOnly, ['restore', 'latest', '--target', target]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stderr.match(new RegExp(UNLOCKED, 'g')), restored.stderr).toHaveLength(1);
      expect(await readFile(path.join(target, source, 'data.bin'))).toEqual(await readFile(path.join(source, 'data.bin')));
      const checked = await cli(readOnly, ['check', '--read-data']);
      expect(checked.code, checked.stderr).toBe(0);

      const backup = await cli(readOnly, ['backup', source]);
      expect(backup.code).not.toBe(0);
      expect(backup.stderr.trim().split('\n').at(-1)).toMatch(/^chunkvault backup: save .*locks\/[0-9a-f]{64}.*403/);
      expect(await repositoryFingerprint(path.join(rest.dir, name))).toBe(before);
    } finally {
      await proxy.close();
      await removeDir(dir);
    }
  });
});

describe('an S3 bucket the credentials may only read', () => {
  it('restore and check work without a lock; backup is refused naming the lock file, and nothing is written', async () => {
    const s3 = await sharedS3Server();
    const dir = await makeTempDir('cv-read-only-s3-');
    try {
      const bucket = `read-only-${Date.now()}`;
      const location = `s3:${s3.rest(bucket)}`;
      const base = { RESTIC_PASSWORD: PASSWORD, RESTIC_CACERT: s3.caFile, TZ: 'UTC' };
      const owner = (args: string[]) => runCli(['-r', location, ...args], { ...base, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey }, dir);
      const reader = (args: string[]) =>
        runCli(['-r', location, ...args], { ...base, AWS_ACCESS_KEY_ID: S3_LIMITED_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3_LIMITED_SECRET_ACCESS_KEY }, dir);
      const source = path.join(dir, 'src');
      await mkdir(source);
      await writeFile(path.join(source, 'data.bin'), pseudoRandomBytes(200_000, 9));
      await initCheapRepositoryAt(location, PASSWORD, { ...base, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey });
      expect((await owner(['backup', source])).code).toBe(0);
      // Before the ACL the limited user may not even read: the refusal is what the test relies on.
      expect((await reader(['snapshots'])).code).not.toBe(0);
      await grantSwiftRead(s3.endpoint, s3.caFile, bucket, S3_LIMITED_ACCESS_KEY_ID);
      const objectsBefore = (await owner(['--json', 'snapshots'])).stdout;

      const target = path.join(dir, 'target');
      const restored = await reader(['restore', 'latest', '--target', target]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stderr.match(new RegExp(UNLOCKED, 'g')), restored.stderr).toHaveLength(1);
      expect(await readFile(path.join(target, source, 'data.bin'))).toEqual(await readFile(path.join(source, 'data.bin')));
      const checked = await reader(['check']);
      expect(checked.code, checked.stderr).toBe(0);
      expect(checked.stdout).toContain('no errors were found');

      const backup = await reader(['backup', source]);
      expect(backup.code).not.toBe(0);
      expect(backup.stderr.trim().split('\n').at(-1)).toMatch(/^chunkvault backup: save .*locks\/[0-9a-f]{64}: access denied \(HTTP 403 AccessDenied\)/);
      expect((await owner(['--json', 'snapshots'])).stdout).toBe(objectsBefore);
      const locks = await owner(['unlock']);
      expect(locks.code, locks.stderr).toBe(0);
    } finally {
      await removeDir(dir);
    }
  });
});

/** Gives `user` read and list rights on a bucket through Swift's own API (container ACL), as the bucket's owner. */
async function grantSwiftRead(endpoint: string, caFile: string, bucket: string, user: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: await readFile(caFile, 'utf8') } });
  try {
    const auth = await fetch(`${endpoint}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' }, dispatcher });
    expect(auth.status).toBe(200);
    const acl = await fetch(`${auth.headers.get('x-storage-url')}/${bucket}`, {
      method: 'POST',
      headers: { 'X-Auth-Token': auth.headers.get('x-auth-token')!, 'X-Container-Read': `${user},.rlistings` },
      dispatcher,
    });
    expect(acl.status).toBe(204);
  } finally {
    await dispatcher.close();
  }
}
