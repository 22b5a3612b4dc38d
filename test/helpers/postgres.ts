/**
 * A throwaway PostgreSQL 15 cluster on loopback, for tests and benchmarks: initdb in a
 * temporary directory, started on a free port with fsync off, stopped and removed
 * afterwards. A missing PostgreSQL fails the test (it never skips): install the Debian
 * package postgresql-15 (.ci/run does).
 *
 * As root (CI containers), the server runs as the `postgres` user through runuser, since
 * PostgreSQL refuses to run as root. Local connections (the Unix socket in the cluster's
 * directory) are trusted; TCP connections need the password, so a wrong password fails
 * as it would against a real server.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { freePort } from './processes.ts';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SERVER_USER = 'postgres';

/** The path of a PostgreSQL program (pg_dump, psql, pgbench ...), of the same version as the server. */
export function pgBin(program: string): string {
  return path.join(PG_BIN, program);
}

export function assertPostgresInstalled(): void {
  for (const program of ['initdb', 'pg_ctl', 'postgres', 'psql', 'pg_dump', 'pg_restore', 'pgbench']) {
    if (!existsSync(pgBin(program))) {
      throw new Error(
        `PostgreSQL 15 is not installed: ${pgBin(program)} is missing. Install the Debian package postgresql-15 ('apt-get install postgresql-15'; .ci/run does this), or set PG_BIN.`,
      );
    }
  }
}

/** Where a cluster listens and the superuser's password: all a client needs, and plain data (a global setup hands it to tests). */
export interface PostgresConnection {
  readonly port: number;
  readonly password: string;
}

/** A client of a running cluster, as the superuser over TCP. */
export interface PostgresClient extends PostgresConnection {
  readonly host: '127.0.0.1';
  readonly user: string;
  /** libpq environment for clients connecting over TCP with the password. */
  readonly clientEnv: Record<string, string>;
  /** A connection URI for one database, password included (for commands that take one). */
  uri(database: string, password?: string): string;
  /** Runs SQL with psql and returns its unaligned, tuples-only output (trimmed). */
  sql(database: string, statement: string): Promise<string>;
  /** Runs a PostgreSQL client program with the client environment; rejects on a non-zero exit. */
  run(program: string, args: string[], opts?: { input?: string }): Promise<{ stdout: string; stderr: string }>;
  createDatabase(name: string): Promise<void>;
}

/** A cluster this process started, and stops. */
export interface PostgresServer extends PostgresClient {
  /** The cluster's directory (data, socket, log). */
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startPostgres(opts: { password?: string } = {}): Promise<PostgresServer> {
  assertPostgresInstalled();
  const password = opts.password ?? 'pg-test-secret';
  const asRoot = process.getuid?.() === 0;
  // Its own directory under the system temp dir: a test's temp dir is 0700 and root's.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chunkvault-pg-'));
  const dataDir = path.join(dir, 'data');
  const pwFile = path.join(dir, 'pwfile');
  await writeFile(pwFile, `${password}\n`);
  if (asRoot) {
    const { uid, gid } = await userIds(SERVER_USER);
    await chown(dir, uid, gid);
    await chown(pwFile, uid, gid);
  }
  const asServer = (program: string, args: string[]) =>
    asRoot ? exec('runuser', ['-u', SERVER_USER, '--', pgBin(program), ...args]) : exec(pgBin(program), args);

  await asServer('initdb', ['-D', dataDir, '-U', 'postgres', '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  await rm(pwFile);
  const port = await freePort();
  const serverOptions = [
    `-c listen_addresses=127.0.0.1`,
    `-p ${port}`,
    `-k ${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=40',
  ].join(' ');
  await asServer('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);

  let stopped = false;
  return {
    ...postgresClient({ port, password }),
    dir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await asServer('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A client of the cluster at this port (on loopback, superuser `postgres`). */
export function postgresClient({ port, password }: PostgresConnection): PostgresClient {
  const clientEnv = {
    PGHOST: '127.0.0.1',
    PGPORT: String(port),
    PGUSER: 'postgres',
    PGPASSWORD: password,
    PGCONNECT_TIMEOUT: '10',
  };
  const run = (program: string, args: string[], o: { input?: string } = {}) =>
    exec(pgBin(program), args, { env: { ...process.env, ...clientEnv }, input: o.input });
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    clientEnv,
    uri: (database, pw = password) => `postgresql://postgres:${encodeURIComponent(pw)}@127.0.0.1:${port}/${database}`,
    run,
    sql: async (database, statement) => (await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', statement])).stdout.trim(),
    createDatabase: async (name) => {
      await run('createdb', [name]);
    },
  };
}

/** Row count and an MD5 over every row in a fixed order: equal fingerprints, equal tables. */
export interface TableFingerprint {
  rows: number;
  md5: string;
}

export async function tableFingerprint(server: PostgresClient, database: string, table: string, orderBy: string): Promise<TableFingerprint> {
  const out = await server.sql(database, `SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY ${orderBy})), '') FROM ${table} t`);
  const [rows, md5] = out.split(' ');
  return { rows: Number(rows), md5: md5 ?? '' };
}

/** pgbench's four tables, each in a total order. */
export const PGBENCH_TABLES: Readonly<Record<string, string>> = {
  pgbench_accounts: 'aid',
  pgbench_branches: 'bid',
  pgbench_tellers: 'tid',
  // No key: every column, so the order is total.
  pgbench_history: 'tid, bid, aid, delta, mtime, filler',
};

export async function pgbenchFingerprints(server: PostgresClient, database: string): Promise<Record<string, TableFingerprint>> {
  const out: Record<string, TableFingerprint> = {};
  for (const [table, orderBy] of Object.entries(PGBENCH_TABLES)) out[table] = await tableFingerprint(server, database, table, orderBy);
  return out;
}

function exec(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: opts.env ?? process.env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([exec('id', ['-u', user]), exec('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

