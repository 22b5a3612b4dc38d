/**
 * Crash safety beyond prune (see prune-crash.test.ts): the process is killed with SIGKILL
 * (no cleanup, as in a power cut or an OOM kill) right after a file it wrote or deleted
 * became durable (CHUNKVAULT_FAILPOINT=save|remove:TYPE:N), or after a random delay, in
 * forget, key add/passwd/remove, copy, the action's backup, and backups to a REST server and
 * an S3 bucket (with the metadata cache on). Every time: restic 0.14's `check --read-data` accepts the
 * repository (so no snapshot refers to missing data), it opens with the old or the new
 * password, and the next run completes.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, startAction } from '../helpers/action.ts';
import { initCheapRepository, initCheapRepositoryAt } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, runRestic } from '../helpers/restic.ts';
import { sharedRestServer, sharedS3Server } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'crash test';
const NEW_PASSWORD = 'crash test, new';

/** Kill points judged, and those after which the repository was intact: the tally at the end. */
const tried: string[] = [];
const survived: string[] = [];

describe('SIGKILL at any moment', () => {
  let dir: string;
  let source: string;
  let fixture: string;
  let n = 0;

  const cli = (repo: string, args: string[], env: Record<string, string> = {}, killAfterMs?: number) =>
    runCli(['-r', repo, ...args], { RESTIC_PASSWORD: PASSWORD, TZ: 'UTC', CHUNKVAULT_CACHE_DIR: path.join(dir, 'cache'), ...env }, dir, { killAfterMs });

  /** A fresh copy of the fixture: three snapshots of a small changing tree. */
  async function freshRepo(): Promise<string> {
    const repo = path.join(dir, `repo-${++n}`);
    await cp(fixture, repo, { recursive: true });
    return repo;
  }

  /** restic's verdict after a crash, with whichever password opens the repository. */
  async function assertIntact(repo: string, where: string, passwords = [PASSWORD], env: Record<string, string> = {}, resticArgs: string[] = []): Promise<string> {
    tried.push(where);
    let opened: string | undefined;
    for (const password of passwords) {
      const opts = { repo, password, cacheDir: dir, env };
      const unlock = await runRestic([...resticArgs, 'unlock'], opts);
      if (unlock.code !== 0) continue;
      opened = password;
      const check = await runRestic([...resticArgs, 'check', '--read-data'], opts);
      expect(check.code, `${where}: ${check.stdout}${check.stderr}`).toBe(0);
      expect(check.stdout, where).toContain('no errors were found');
      break;
    }
    expect(opened, `${where}: no password opens the repository`).toBeDefined();
    survived.push(where);
    return opened!;
  }

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-crash-');
    source = path.join(dir, 'src');
    await mkdir(source);
    fixture = path.join(dir, 'fixture');
    await initCheapRepository(fixture, PASSWORD);
    for (let i = 0; i < 3; i++) {
      await writeFile(path.join(source, `file-${i}.bin`), pseudoRandomBytes(200_000, 10 + i));
      await writeFile(path.join(source, 'changing.txt'), `round ${i}\n`);
      const r = await cli(fixture, ['backup', '--host', 'crash', source]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    await removeDir(dir);
    console.log(`crash-safety: ${survived.length} of ${tried.length} kills left an intact repository`);
  });

  it('forget: killed around its locks, after its probe delete and after each snapshot removal; the next forget completes', async () => {
    // remove:snapshot:1 is the probe that proves deletes are allowed (lock.ts); 2 and 3 remove the two forgotten snapshots.
    for (const point of ['save:lock:1', 'remove:lock:1', 'save:lock:2', 'remove:snapshot:1', 'remove:snapshot:2', 'remove:snapshot:3']) {
      const repo = await freshRepo();
      const killed = await cli(repo, ['forget', '--keep-last', '1'], { CHUNKVAULT_FAILPOINT: point });
      expect(killed.signal, `forget ${point}: ${killed.stderr}`).toBe('SIGKILL');
      await assertIntact(repo, `forget ${point}`);
      const again = await cli(repo, ['--json', 'forget', '--keep-last', '1']);
      expect(again.code, `forget ${point}: ${again.stderr}`).toBe(0);
      expect(JSON.parse((await cli(repo, ['--json', 'snapshots'])).stdout), `forget ${point}`).toHaveLength(1);
    }
  });

  it('key add, passwd and remove: killed after each key file change, the old or the new password opens it', async () => {
    const passwordFile = path.join(dir, 'new-password');
    await writeFile(passwordFile, `${NEW_PASSWORD}\n`);
    const cases: [string[], string][] = [
      [['key', 'add', '--new-password-file', passwordFile], 'save:key:1'],
      [['key', 'passwd', '--new-password-file', passwordFile], 'save:key:1'],
      [['key', 'passwd', '--new-password-file', passwordFile], 'remove:key:1'],
    ];
    for (const [args, point] of cases) {
      const repo = await freshRepo();
      const killed = await cli(repo, args, { CHUNKVAULT_FAILPOINT: point });
      expect(killed.signal, `${args[1]} ${point}: ${killed.stderr}`).toBe('SIGKILL');
      const opened = await assertIntact(repo, `key ${args[1]} ${point}`, [PASSWORD, NEW_PASSWORD]);
      // The next run completes with whichever password opens it.
      const next = await cli(repo, ['snapshots'], { RESTIC_PASSWORD: opened });
      expect(next.code, next.stderr).toBe(0);
    }
    // key remove of the other key, killed once it is gone: the key in use still opens.
    const repo = await freshRepo();
    expect((await cli(repo, ['key', 'add', '--new-password-file', passwordFile])).code).toBe(0);
    const keys = JSON.parse((await cli(repo, ['--json', 'key', 'list'])).stdout) as { id: string; current: boolean }[];
    const other = keys.find((k) => !k.current)!;
    const killed = await cli(repo, ['key', 'remove', other.id], { CHUNKVAULT_FAILPOINT: 'remove:key:1' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    await assertIntact(repo, 'key remove remove:key:1');
  });

  it('copy: killed after data, index and snapshot writes; the next copy completes the destination', async () => {
    const passwordFile = path.join(dir, 'source-password');
    await writeFile(passwordFile, `${PASSWORD}\n`);
    for (const point of ['save:data:1', 'save:index:1', 'save:snapshot:1', 'save:snapshot:2']) {
      const dest = path.join(dir, `copy-${++n}`);
      await initCheapRepository(dest, PASSWORD);
      const killed = await cli(dest, ['copy', '--from-repo', fixture, '--from-password-file', passwordFile], { CHUNKVAULT_FAILPOINT: point });
      expect(killed.signal, `copy ${point}: ${killed.stderr}`).toBe('SIGKILL');
      await assertIntact(dest, `copy ${point}`);
      const again = await cli(dest, ['copy', '--from-repo', fixture, '--from-password-file', passwordFile]);
      expect(again.code, `copy ${point}: ${again.stderr}`).toBe(0);
      expect(JSON.parse((await cli(dest, ['--json', 'snapshots'])).stdout), `copy ${point}`).toHaveLength(3);
    }
  });

  it('the action\'s backup: killed at random moments; the next backup completes', async () => {
    let killed = 0;
    for (const delayMs of [300, 800, 1500]) {
      const repo = await freshRepo();
      const inputs = { repository: repo, password: PASSWORD, source: 'src', init: 'false', host: 'crash' };
      await writeFile(path.join(source, 'changing.txt'), `action ${delayMs}\n`);
      await writeFile(path.join(source, 'new.bin'), pseudoRandomBytes(600_000, delayMs));
      const { child, done } = await startAction(inputs, dir);
      const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      await done;
      clearTimeout(timer);
      if (child.signalCode === 'SIGKILL') killed++;
      await assertIntact(repo, `action backup after ${delayMs} ms`);
      const next = await runAction(inputs, dir);
      expect(next.code, `action backup after ${delayMs} ms: ${next.stdout}`).toBe(0);
    }
    // The delays fall inside the run, not after it.
    expect(killed).toBeGreaterThanOrEqual(2);
  });

  it('backup to a REST server (metadata cache on): killed after uploads and at random moments; the next backup completes', async () => {
    const rest = await sharedRestServer();
    const points = ['save:data:1', 'save:index:1', 'save:snapshot:1', 'delay:400', 'delay:900'];
    for (const point of points) {
      const name = `crash-${Date.now()}-${++n}`;
      const location = rest.repository(name);
      await initCheapRepositoryAt(location, PASSWORD, {});
      expect((await cli(location, ['backup', '--host', 'crash', source])).code).toBe(0);
      await writeFile(path.join(source, 'changing.txt'), `rest ${point}\n`);
      await writeFile(path.join(source, 'new.bin'), pseudoRandomBytes(300_000, n));
      if (point.startsWith('delay:')) await cli(location, ['backup', '--host', 'crash', source], {}, Number(point.slice(6)));
      else {
        const killed = await cli(location, ['backup', '--host', 'crash', source], { CHUNKVAULT_FAILPOINT: point });
        expect(killed.signal, `rest ${point}: ${killed.stderr}`).toBe('SIGKILL');
      }
      await assertIntact(location, `backup to REST ${point}`);
      const next = await cli(location, ['--json', 'backup', '--host', 'crash', source]);
      expect(next.code, `rest ${point}: ${next.stderr}`).toBe(0);
      // What the metadata cache lists agrees with restic after the crash and the next run.
      const ours = (JSON.parse((await cli(location, ['--json', 'snapshots'])).stdout) as { id: string }[]).map((s) => s.id).sort();
      const theirs = JSON.parse((await runRestic(['snapshots', '--json', '--no-lock'], { repo: location, password: PASSWORD, cacheDir: dir })).stdout) as { id: string }[];
      expect(ours, `rest ${point}`).toEqual(theirs.map((s) => s.id).sort());
    }
  });

  it('backup to an S3 bucket: killed after data, index and snapshot uploads; the next backup completes', async () => {
    const s3 = await sharedS3Server();
    const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, RESTIC_CACERT: s3.caFile };
    for (const point of ['save:data:1', 'save:index:1', 'save:snapshot:1']) {
      const location = `s3:${s3.rest('crash-safety', `point-${Date.now()}-${++n}`)}`;
      await initCheapRepositoryAt(location, PASSWORD, env);
      const killed = await cli(location, ['backup', '--host', 'crash', source], { ...env, CHUNKVAULT_FAILPOINT: point });
      expect(killed.signal, `s3 ${point}: ${killed.stderr}`).toBe('SIGKILL');
      await assertIntact(location, `backup to S3 ${point}`, [PASSWORD], { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey }, ['--cacert', s3.caFile]);
      const next = await cli(location, ['backup', '--host', 'crash', source], env);
      expect(next.code, `s3 ${point}: ${next.stderr}`).toBe(0);
    }
  });
});
