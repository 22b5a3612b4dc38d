/**
 * `key` (CLI and action mode): passwords change by adding a key file and removing the old
 * one, and restic 0.14 is the judge: it opens the repository with the new password and
 * refuses the old, lists the keys we add, and lists them as we do.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { restic, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

interface ResticKey {
  current: boolean;
  id: string;
  userName: string;
  hostName: string;
  created: string;
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

describe('key management', () => {
  let dir: string;
  let n = 0;

  /** A fresh repository (cheap key) with one snapshot written by restic, and helpers bound to it. */
  async function fixture(password: string) {
    const repo = path.join(dir, `repo-${++n}`);
    const r = (pw: string) => ({ repo, password: pw, cacheDir: dir });
    await initCheapRepository(repo, password);
    await restic(['backup', path.join(dir, 'data')], r(password));
    const cli = (args: string[], pw = password) => runCli(['-r', repo, ...args], { CHUNKVAULT_PASSWORD: pw, TZ: 'UTC' }, dir);
    const resticAs = (args: string[], pw = password) => runRestic(args, r(pw));
    /** Every key file's name and bytes: what "the repository is unchanged" means for keys. */
    const keyFiles = async () => {
      const names = (await readdir(path.join(repo, 'keys'))).sort();
      return Promise.all(names.map(async (name) => ({ name, bytes: (await readFile(path.join(repo, 'keys', name))).toString('base64') })));
    };
    return { repo, cli, resticAs, keyFiles };
  }

  async function passwordFile(password: string): Promise<string> {
    const file = path.join(dir, `pw-${++n}`);
    await writeFile(file, `${password}\n`);
    return file;
  }

  beforeAll(async () => {
    dir = await makeTempDir('cv-key-');
    await writeFile(path.join(dir, 'data'), 'key test data\n');
  });
  afterAll(() => removeDir(dir));

  it('key passwd: restic and chunkvault open with the new password and refuse the old', async () => {
    const { repo, cli, resticAs } = await fixture('old secret');
    const r = await cli(['key', 'passwd', '--new-password-file', await passwordFile('new secret')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^saved new key as [0-9a-f]{8}, removed key [0-9a-f]{8}$/m);

    expect((await resticAs(['snapshots', '--json'], 'new secret')).code).toBe(0);
    const old = await resticAs(['snapshots'], 'old secret');
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/wrong password/);
    expect((await cli(['snapshots'], 'new secret')).code).toBe(0);
    expect((await cli(['snapshots'], 'old secret')).code).toBe(12);
    expect(JSON.parse((await resticAs(['key', 'list', '--json'], 'new secret')).stdout)).toHaveLength(1);
    await restic(['check', '--read-data'], { repo, password: 'new secret', cacheDir: dir });
  }, 120_000);

  it('key add: restic lists both keys, opens with either password, and lists them as chunkvault --json does', async () => {
    const { cli, resticAs } = await fixture('first');
    const r = await cli(['key', 'add', '--new-password-file', await passwordFile('second'), '--user', 'bob', '--host', 'build-7']);
    expect(r.code, r.stderr).toBe(0);
    const newId = /saved new key as ([0-9a-f]{8})/.exec(r.stdout)?.[1];
    expect(newId).toBeDefined();

    const theirs = JSON.parse((await resticAs(['key', 'list', '--json'])).stdout) as ResticKey[];
    expect(theirs).toHaveLength(2);
    expect(theirs.find((k) => k.id === newId)).toMatchObject({ current: false, userName: 'bob', hostName: 'build-7' });
    expect((await resticAs(['snapshots'], 'second')).code).toBe(0);
    expect((await resticAs(['snapshots'], 'first')).code).toBe(0);

    // Same password, so the same key is current for both; restic lists in directory order.
    const ours = JSON.parse((await cli(['--json', 'key', 'list'])).stdout) as ResticKey[];
    expect(ours.sort(byId)).toEqual(theirs.sort(byId));
    // With the other password, the other key is the current one.
    const asSecond = JSON.parse((await cli(['--json', 'key', 'list'], 'second')).stdout) as ResticKey[];
    expect(asSecond.filter((k) => k.current).map((k) => k.id)).toEqual([newId]);

    // The table: restic's columns, the key in use marked with *.
    const table = (await cli(['key', 'list'])).stdout;
    const resticTable = (await resticAs(['key', 'list'])).stdout;
    const rows = (t: string) => t.split('\n').filter((l) => /^[ *][0-9a-f]{8} /.test(l)).sort();
    expect(rows(table)).toEqual(rows(resticTable));
    expect(table.split('\n')[0]).toBe(resticTable.split('\n')[0]);
  }, 120_000);

  it('key remove refuses the key in use, also when it is the last, and leaves keys/ byte-identical', async () => {
    const { cli, keyFiles } = await fixture('only');
    const before = await keyFiles();
    expect(before).toHaveLength(1);
    const r = await cli(['key', 'remove', before[0]!.name.slice(0, 8)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^chunkvault key: refusing to remove key [0-9a-f]{8}: it is the key in use .*the only key/m);
    expect(await keyFiles()).toEqual(before);

    // With a second key: the one in use is still refused; the other one goes.
    expect((await cli(['key', 'add', '--new-password-file', await passwordFile('other')])).code).toBe(0);
    const two = await keyFiles();
    const inUse = before[0]!.name;
    const refused = await cli(['key', 'remove', inUse]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to remove key/);
    expect(await keyFiles()).toEqual(two);
    const other = two.find((k) => k.name !== inUse)!.name;
    const removed = await cli(['key', 'remove', other.slice(0, 10)]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await keyFiles()).map((k) => k.name)).toEqual([inUse]);
  }, 120_000);

  it('an empty new password is refused and nothing is written', async () => {
    const { cli, keyFiles } = await fixture('pw');
    const before = await keyFiles();
    const empty = path.join(dir, 'empty-pw');
    await writeFile(empty, '\n');
    const r = await cli(['key', 'passwd', '--new-password-file', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--new-password-file .* is empty/);
    expect(await keyFiles()).toEqual(before);
    const missing = await cli(['key', 'add']);
    expect(missing.stderr).toMatch(/--new-password-file/);
    expect(await keyFiles()).toEqual(before);
  }, 60_000);

  describe('action mode key', () => {
    it('passwd rotates the password, masks the new one, and reports the new key', async () => {
      const { repo, resticAs, keyFiles } = await fixture('action old');
      const before = await keyFiles();
      const newPassword = 'action new p4ss';
      const run = await runAction({ mode: 'key', repository: repo, password: 'action old', 'key-command': 'passwd', 'new-password': newPassword }, dir);
      expect(run.code, run.stdout).toBe(0);
      const after = await keyFiles();
      expect(after.map((k) => k.name)).toEqual([run.outputs['key-id']]);
      expect(run.outputs['removed-key-id']).toBe(before[0]!.name);
      expect(run.summary).toContain('password changed');
      // Masked: the runner learns it through add-mask, and nothing else shows it.
      expect(run.stdout).toContain(`::add-mask::${newPassword}`);
      const shown = [run.stdout.replaceAll(`::add-mask::${newPassword}`, ''), run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n');
      expect(shown).not.toContain(newPassword);

      expect((await resticAs(['snapshots'], newPassword)).code).toBe(0);
      expect((await resticAs(['snapshots'], 'action old')).code).not.toBe(0);
    }, 120_000);

    it('list gives restic key list --json as an output; remove of the key in use fails and changes nothing', async () => {
      const { repo, resticAs, keyFiles } = await fixture('action list');
      const list = await runAction({ mode: 'key', repository: repo, password: 'action list' }, dir);
      expect(list.code, list.stdout).toBe(0);
      const theirs = JSON.parse((await resticAs(['key', 'list', '--json'])).stdout) as ResticKey[];
      expect((JSON.parse(list.outputs['keys']!) as ResticKey[]).sort(byId)).toEqual(theirs.sort(byId));

      const before = await keyFiles();
      const remove = await runAction({ mode: 'key', repository: repo, password: 'action list', 'key-command': 'remove', 'key-id': before[0]!.name.slice(0, 8) }, dir);
      expect(remove.code).not.toBe(0);
      expect(remove.stdout).toMatch(/::error::input 'key-id': refusing to remove key [0-9a-f]{8}: it is the key in use/);
      expect(await keyFiles()).toEqual(before);

      const empty = await runAction({ mode: 'key', repository: repo, password: 'action list', 'key-command': 'add' }, dir);
      expect(empty.code).not.toBe(0);
      expect(empty.stdout).toMatch(/::error::input 'new-password' is required for key add/);
      expect(await keyFiles()).toEqual(before);
    }, 120_000);
  });
});
