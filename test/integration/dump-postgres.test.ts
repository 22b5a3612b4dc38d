/**
 * PostgreSQL dumps through chunkvault and back, against a real PostgreSQL 15 server on
 * loopback (the run's shared one; the databases named here are this file's alone): a
 * pgbench database is dumped by pg_dump straight into a snapshot (by the action and by the
 * CLI), the snapshot is restored, the dump is loaded into a fresh database, and every
 * table's row count and checksum must equal the source's. The weekly drill does the same
 * into a scratch database from its drill-command.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { PG_BIN, pgBin, pgbenchFingerprints, type PostgresClient, type TableFingerprint } from '../helpers/postgres.ts';
import { restic } from '../helpers/restic.ts';
import { sharedPostgres } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'pg-dump-repo-secret';
/** pgbench scale 2: 200,000 accounts, a 19 MB plain dump (several chunks, seconds to run). */
const SCALE = 2;

describe('PostgreSQL dumps streamed into snapshots and restored into fresh databases', () => {
  let pg: PostgresClient;
  let workspace: string;
  let source: Record<string, TableFingerprint>;
  const base = () => ({ repository: 'repo', password: PASSWORD });
  /** Shell assignments that point libpq at the test server (the action's env is the runner's). */
  const libpqEnv = () => Object.entries(pg.clientEnv).map(([k, v]) => `${k}=${v}`).join(' ');

  beforeAll(async () => {
    workspace = await makeTempDir('dump-pg');
    pg = await sharedPostgres();
    await pg.createDatabase('app');
    await pg.run('pgbench', ['-i', '-s', String(SCALE), '-q', 'app']);
    // Some transactions, so that pgbench_history has rows and balances are not all zero.
    await pg.run('pgbench', ['-t', '150', '-c', '2', 'app']);
    source = await pgbenchFingerprints(pg, 'app');
    expect(source.pgbench_accounts!.rows).toBe(SCALE * 100_000);
    expect(source.pgbench_history!.rows).toBe(300);
  });
  afterAll(async () => {
    await removeDir(workspace);
  });

  it('the action streams pg_dump -Fp into a snapshot; the restored dump loads with equal rows and checksums', async () => {
    const dumpCommand = `${pgBin('pg_dump')} -Fp --no-owner --verbose --dbname="${pg.uri('app')}"`;
    const run = await runAction({ ...base(), 'dump-command': dumpCommand, 'dump-filename': 'app.sql', tags: 'nightly' }, workspace);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const dumpBytes = Number(run.outputs['dump-bytes']);
    expect(dumpBytes).toBeGreaterThan(15_000_000);
    expect(Number(run.outputs['bytes-processed'])).toBe(dumpBytes);
    // pg_dump's standard error (its --verbose lines) is in the log, its output is not.
    expect(run.stdout).toContain('dump | pg_dump: dumping contents of table "public.pgbench_accounts"');
    expect(run.stdout).not.toContain('COPY public.pgbench_accounts');
    expect(run.summary).toContain('/app.sql');
    expect(run.summary).toContain('Dump');

    // The snapshot is laid out as restic's --stdin: one path, /app.sql.
    const snapshots = JSON.parse(await restic(['snapshots', '--json'], { repo: path.join(workspace, 'repo'), password: PASSWORD, cacheDir: workspace }));
    expect(snapshots.map((s: { paths: string[] }) => s.paths)).toEqual([['/app.sql']]);

    const restore = await runAction({ ...base(), mode: 'restore', target: 'restored-plain' }, workspace);
    expect(restore.code, restore.stdout).toBe(0);
    const restored = path.join(workspace, 'restored-plain', 'app.sql');
    expect((await stat(restored)).size).toBe(dumpBytes);
    expect((await readFile(restored, 'utf8')).slice(0, 2000)).toContain('PostgreSQL database dump');

    await pg.createDatabase('app_from_plain');
    await pg.run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'app_from_plain', '-f', restored]);
    expect(await pgbenchFingerprints(pg, 'app_from_plain')).toEqual(source);

    // The next night, an unchanged database: the dump is the same bytes and adds almost nothing.
    const again = await runAction({ ...base(), 'dump-command': dumpCommand, 'dump-filename': 'app.sql', tags: 'nightly' }, workspace);
    expect(again.code, again.stdout).toBe(0);
    expect(Number(again.outputs['dump-bytes'])).toBe(dumpBytes);
    expect(again.outputs['parent-id']).toBe(run.outputs['snapshot-id']);
    expect(Number(again.outputs['bytes-added'])).toBeLessThan(dumpBytes / 100);
  });

  it('the CLI streams pg_dump -Fc with --stdin-from-command; pg_restore loads the restored dump with equal rows and checksums', async () => {
    const repo = path.join(workspace, 'repo');
    const env = { ...pg.clientEnv, RESTIC_PASSWORD: PASSWORD };
    const backup = await runCli(
      ['-r', repo, '--json', 'backup', '--host', 'db-host', '--tag', 'custom', '--stdin-filename', 'app.dump', '--stdin-from-command', '--', pgBin('pg_dump'), '-Fc', '--no-owner', 'app'],
      env,
      workspace,
    );
    expect(backup.code, backup.stderr).toBe(0);
    const summary = JSON.parse(backup.stdout.trim().split('\n').at(-1)!);
    expect(summary.dump_path).toBe('/app.dump');
    expect(summary.dump_bytes).toBeGreaterThan(100_000);

    const target = path.join(workspace, 'restored-custom');
    const restore = await runCli(['-r', repo, 'restore', 'latest', '--tag', 'custom', '--target', target], env, workspace);
    expect(restore.code, restore.stderr).toBe(0);
    expect((await stat(path.join(target, 'app.dump'))).size).toBe(summary.dump_bytes);

    await pg.createDatabase('app_from_custom');
    await pg.run('pg_restore', ['--no-owner', '--exit-on-error', '-d', 'app_from_custom', path.join(target, 'app.dump')]);
    expect(await pgbenchFingerprints(pg, 'app_from_custom')).toEqual(source);
  });

  it('the key-ordered dump (bench/pg-ordered-dump.sh) restores with equal rows, checksums and sequences', async () => {
    await pg.sql('app', "CREATE SEQUENCE IF NOT EXISTS invoice_numbers; SELECT setval('invoice_numbers', 4242)");
    const script = path.resolve(import.meta.dirname, '../../bench/pg-ordered-dump.sh');
    const run = await runAction(
      { ...base(), 'dump-command': `export ${libpqEnv()} PATH="${PG_BIN}:$PATH"; bash ${script} app`, 'dump-filename': 'app-ordered.sql', tags: 'ordered' },
      workspace,
    );
    expect(run.code, run.stdout).toBe(0);
    const restore = await runAction({ ...base(), mode: 'restore', tags: 'ordered', target: 'restored-ordered' }, workspace);
    expect(restore.code, restore.stdout).toBe(0);
    const dump = path.join(workspace, 'restored-ordered', 'app-ordered.sql');
    // Rows in key order: the accounts' COPY lines run 1, 2, 3 ...
    const text = await readFile(dump, 'utf8');
    const copy = text.indexOf('COPY public.pgbench_accounts (aid, bid, abalance, filler) FROM stdin;\n');
    expect(copy).toBeGreaterThan(0);
    expect(text.slice(copy).split('\n').slice(1, 4).map((l) => l.split('\t')[0])).toEqual(['1', '2', '3']);

    await pg.createDatabase('app_from_ordered');
    await pg.run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'app_from_ordered', '-f', dump]);
    expect(await pgbenchFingerprints(pg, 'app_from_ordered')).toEqual(source);
    expect(await pg.sql('app_from_ordered', "SELECT last_value FROM invoice_numbers")).toBe('4242');
    // Constraints come after the data, as in pg_dump's own plain dumps.
    expect(await pg.sql('app_from_ordered', "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND conrelid::regclass::text LIKE 'pgbench_%'")).toBe('3');
  });

  it('the weekly drill restores the latest nightly dump into a scratch database and queries it', async () => {
    const expected = source.pgbench_accounts!;
    // What the README's drill-command does: load into a scratch database, then query it.
    const drillCommand = [
      `export ${libpqEnv()}`,
      `trap '${pgBin('dropdb')} --if-exists drill_scratch' EXIT`,
      `${pgBin('createdb')} drill_scratch`,
      `${pgBin('psql')} -X -q -v ON_ERROR_STOP=1 -d drill_scratch -f "$CHUNKVAULT_RESTORE_DIR/app.sql"`,
      `fingerprint=$(${pgBin('psql')} -X -A -t -d drill_scratch -c "SELECT count(*) || ' ' || md5(string_agg(t::text, E'\\n' ORDER BY aid)) FROM pgbench_accounts t")`,
      `echo "scratch database: $fingerprint"`,
      `test "$fingerprint" = "${expected.rows} ${expected.md5}"`,
    ].join('\n');
    const run = await runAction({ ...base(), mode: 'drill', tags: 'nightly', 'max-snapshot-age': '1h', 'max-rto': '5m', 'drill-command': drillCommand }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['drill-status']).toBe('passed');
    expect(run.stdout).toContain(`scratch database: ${expected.rows} ${expected.md5}`);
    expect(run.summary).toContain('Restore drill passed');
    // The scratch database was dropped by the command's trap.
    expect(await pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'drill_scratch'")).toBe('0');

    // The same drill against wrong expectations fails at the command step.
    const failing = await runAction(
      { ...base(), mode: 'drill', tags: 'nightly', 'drill-command': drillCommand.replace(`"${expected.rows} ${expected.md5}"`, '"1 wrong"') },
      workspace,
    );
    expect(failing.code).not.toBe(0);
    expect(failing.outputs['drill-status']).toBe('failed');
  });
});
