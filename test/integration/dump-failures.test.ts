/**
 * Dumps that must not become snapshots, against a real PostgreSQL server: a wrong
 * password, a missing database, a dump killed midway, a command that cannot start, an
 * empty dump, and SIGTERM while a dump runs. Each fails the step with the exit status
 * (or signal) and the last lines of the command's standard error, writes no snapshot,
 * leaves no lock, and what it uploaded is referenced by no snapshot: restic's check
 * passes afterwards.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, startAction, type ActionRun } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { pgBin, type PostgresClient } from '../helpers/postgres.ts';
import { restic } from '../helpers/restic.ts';
import { sharedPostgres } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'dump-failures-secret';
/** This file's database on the run's shared PostgreSQL server. */
const DATABASE = 'dump_failures';

interface RepoState {
  snapshots: string[];
  locks: string[];
  packs: number;
}

describe('a dump that fails writes no snapshot and says why', () => {
  let pg: PostgresClient;
  let workspace: string;
  let repo: string;
  let before: RepoState;
  const base = () => ({ repository: 'repo', password: PASSWORD });
  const pgDump = (args: string) => `${pgBin('pg_dump')} ${args}`;

  async function state(): Promise<RepoState> {
    let packs = 0;
    for (const sub of await readdir(path.join(repo, 'data'))) packs += (await readdir(path.join(repo, 'data', sub))).length;
    return { snapshots: (await readdir(path.join(repo, 'snapshots'))).sort(), locks: await readdir(path.join(repo, 'locks')), packs };
  }

  /** The step failed, named the cause, wrote no snapshot and removed its lock. */
  async function expectFailedDump(run: ActionRun, ...messages: (string | RegExp)[]): Promise<RepoState> {
    expect(run.code, run.stdout).not.toBe(0);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::'));
    expect(error, run.stdout).toBeDefined();
    // core.setFailed escapes newlines in the annotation: read it back as text.
    const text = error!.slice('::error::'.length).replaceAll('%0A', '\n').replaceAll('%0D', '\r').replaceAll('%25', '%');
    expect(text).toContain('no snapshot was written');
    for (const m of messages) expect(text).toMatch(m);
    expect(run.summary).toContain('Dump failed, no snapshot written');
    expect(run.outputs['snapshot-id']).toBeUndefined();
    const after = await state();
    expect(after.snapshots).toEqual(before.snapshots);
    expect(after.locks).toEqual([]);
    return after;
  }

  beforeAll(async () => {
    workspace = await makeTempDir('dump-failures');
    repo = path.join(workspace, 'repo');
    pg = await sharedPostgres();
    await pg.createDatabase(DATABASE);
    await pg.run('pgbench', ['-i', '-s', '2', '-q', DATABASE]);
    // One good nightly dump, so that "no new snapshot" means something.
    const good = await runAction({ ...base(), 'dump-command': pgDump(`--dbname="${pg.uri(DATABASE)}"`) }, workspace);
    expect(good.code, good.stdout).toBe(0);
    before = await state();
    expect(before.snapshots).toHaveLength(1);
  });
  afterAll(async () => {
    await removeDir(workspace);
  });

  it('a wrong database password fails with exit status 1 and the server\'s message', async () => {
    const run = await runAction({ ...base(), 'dump-command': pgDump(`--dbname="${pg.uri(DATABASE, 'not-the-password')}"`) }, workspace);
    await expectFailedDump(run, /failed with exit status 1\b/, 'password authentication failed for user "postgres"');
    // The command's standard error went to the log too.
    expect(run.stdout).toMatch(/dump \| pg_dump: error: .*password authentication failed/);
  });

  it('a missing database fails with exit status 1 and the server\'s message', async () => {
    const run = await runAction({ ...base(), 'dump-command': pgDump(`--dbname="${pg.uri('no_such_db')}"`) }, workspace);
    await expectFailedDump(run, /failed with exit status 1\b/, 'database "no_such_db" does not exist');
  });

  it('a dump killed midway fails with the signal; the packs it uploaded are referenced by no snapshot', async () => {
    // 20 MB of a ~30 MB dump, stored uncompressed so that whole packs are uploaded before
    // the kill; then the dump's shell is killed, as the OOM killer would.
    const run = await runAction(
      {
        ...base(),
        compression: 'off',
        'dump-command': `${pgDump(`--inserts --dbname="${pg.uri(DATABASE)}"`)} | { head -c 20000000; echo "dump cut short" >&2; kill -KILL $$; }`,
      },
      workspace,
    );
    const after = await expectFailedDump(run, 'was killed by SIGKILL', 'dump cut short');
    expect(after.packs).toBeGreaterThan(before.packs);
    before = after;
  });

  it('a command that cannot start fails with its reason, from the action and from the CLI', async () => {
    const run = await runAction({ ...base(), 'dump-command': '/nonexistent/pg_dump app' }, workspace);
    await expectFailedDump(run, /failed with exit status 127\b/, '/nonexistent/pg_dump: No such file or directory');

    const cli = await runCli(['-r', repo, 'backup', '--stdin-filename', 'app.sql', '--stdin-from-command', '--', '/nonexistent/pg_dump', 'app'], { RESTIC_PASSWORD: PASSWORD });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("dump command '/nonexistent/pg_dump app' could not be started: spawn /nonexistent/pg_dump ENOENT");
    expect((await state()).snapshots).toEqual(before.snapshots);
  });

  it('an empty dump is refused, unless allow-empty-dump is true', async () => {
    const run = await runAction({ ...base(), 'dump-command': `${pgDump(`--dbname="${pg.uri(DATABASE)}"`)} > /dev/null` }, workspace);
    await expectFailedDump(run, /the dump from command '.*pg_dump.*' is empty: an empty dump is refused/);

    const allowed = await runAction({ ...base(), 'dump-command': 'true', 'dump-filename': 'empty.sql', 'allow-empty-dump': 'true' }, workspace);
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.outputs['dump-bytes']).toBe('0');
    const ls = await restic(['ls', '--json', allowed.outputs['snapshot-id']!], { repo, password: PASSWORD, cacheDir: workspace });
    const file = ls.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.path === '/empty.sql');
    expect(file).toMatchObject({ type: 'file', size: 0 });
    before = await state();
  });

  it('SIGTERM during a dump stops the dump\'s whole process group, writes no snapshot and removes the lock', async () => {
    const pidFile = path.join(workspace, 'dump.pid');
    // The dump is written, then the command keeps its output open (a dump still running).
    const command = `echo $$ > "${pidFile}"; ${pgDump(`--dbname="${pg.uri(DATABASE)}"`)}; sleep 600 & wait`;
    const action = await startAction({ ...base(), 'dump-command': command }, workspace);
    const pid = await waitFor(async () => (existsSync(pidFile) ? Number((await readFile(pidFile, 'utf8')).trim()) : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    expect(isAlive(-pid)).toBe(true); // the group: bash, and its sleep
    action.child.kill('SIGTERM');
    const run = await action.done;

    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('SIGTERM received');
    expect(run.stdout).toMatch(/::error::.*cancelled/);
    await waitFor(async () => (isAlive(-pid) ? undefined : true));
    const after = await state();
    expect(after.snapshots).toEqual(before.snapshots);
    expect(after.locks).toEqual([]);
  });

  it('leaves a repository that restic checks without errors, with only the good snapshots', async () => {
    const check = await restic(['check', '--read-data'], { repo, password: PASSWORD, cacheDir: workspace });
    expect(check).toContain('no errors were found');
    const snapshots = JSON.parse(await restic(['snapshots', '--json'], { repo, password: PASSWORD, cacheDir: workspace }));
    expect(snapshots.map((s: { paths: string[] }) => s.paths).sort()).toEqual([['/dump.sql'], ['/empty.sql']]);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
