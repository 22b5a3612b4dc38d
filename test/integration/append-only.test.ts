/**
 * An append-only REST server (`rclone serve restic --append-only`), what a backup job
 * gets so that stolen credentials cannot delete its history: backups succeed, and remove
 * their lock files (the server allows deleting those, and nothing else); forget, prune
 * and forget --prune are refused in one line, before they change anything, from the CLI
 * and from the action; restic check still passes.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { repositoryFingerprint } from '../helpers/prune-fixture.ts';
import { startRcloneServer, type RcloneServer } from '../helpers/rclone-server.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'append only password';
const REFUSED = /^chunkvault (forget|prune): (forget|prune) needs to delete files, and the storage deletes lock files but refused to delete another \(remove rest:http:\/\/127\.0\.0\.1:\d+\/repo\/snapshots\/[0-9a-f]{64}: HTTP 403: .*\): an append-only server\? Nothing was changed\. Run (forget|prune) against storage that allows deletes$/;

describe('an append-only REST server (rclone serve restic --append-only)', () => {
  let dir: string;
  let repo: string;
  let server: RcloneServer;
  let location: string;
  const cli = (args: string[]) => runCli(['-r', location, ...args], { RESTIC_PASSWORD: PASSWORD, CHUNKVAULT_NO_CACHE: '1' }, dir);

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('append-only');
    const served = path.join(dir, 'served');
    repo = path.join(served, 'repo');
    await mkdir(served);
    await initCheapRepository(repo, PASSWORD);
    server = await startRcloneServer(served, { args: ['--append-only'] });
    location = `rest:${server.url}repo/`;
    await mkdir(path.join(dir, 'source'));
  });

  afterAll(async () => {
    await server?.stop();
    await removeDir(dir);
  });

  it('takes two backups, each removing its lock; refuses forget, forget --prune and prune without changing anything; restic check passes', async () => {
    for (const content of ['first\n', 'second\n']) {
      await writeFile(path.join(dir, 'source', 'notes.txt'), content);
      const backup = await cli(['backup', path.join(dir, 'source')]);
      expect(backup.code, backup.stderr).toBe(0);
      // The server deletes lock files: the backup ends as it does anywhere else, with no warning.
      expect(backup.stderr).not.toMatch(/lock/);
      expect(await readdir(path.join(repo, 'locks'))).toEqual([]);
    }
    expect(await readdir(path.join(repo, 'snapshots'))).toHaveLength(2);
    const before = await repositoryFingerprint(repo);

    for (const args of [['forget', '--keep-last', '1'], ['forget', '--keep-last', '1', '--prune'], ['prune']]) {
      const refused = await cli(args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr.trim(), args.join(' ')).toMatch(REFUSED);
      expect(await repositoryFingerprint(repo), args.join(' ')).toBe(before);
    }

    const check = await restic(['--no-cache', 'check'], { repo: location, password: PASSWORD, cacheDir: dir });
    expect(check).toContain('no errors were found');
  });

  it('fails the action step of mode forget with the same line, the repository as it was', async () => {
    const before = await repositoryFingerprint(repo);
    const run = await runAction({ mode: 'forget', repository: location, password: PASSWORD, 'keep-last': '1', prune: 'true', 'metadata-cache': 'false' }, dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::.*forget needs to delete files, and the storage deletes lock files but refused to delete another .*an append-only server\? Nothing was changed/);
    expect(await repositoryFingerprint(repo)).toBe(before);
    expect(await readdir(path.join(repo, 'locks'))).toEqual([]);
  });
});
