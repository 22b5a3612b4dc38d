/**
 * How well nightly PostgreSQL dumps deduplicate, per dump format (run here, not in CI):
 *
 *   node bench/dump-dedup.ts [--scale=30]
 *
 * A pgbench database (scale 30: 3 million accounts) on a throwaway local server. Each
 * format gets its own repository and is backed up by the CLI with --stdin-from-command
 * on four "nights":
 *
 *   1. the first dump;
 *   2. nothing changed;
 *   3. after pgbench transactions updating 1% of the accounts (at random, uniformly), with
 *      their tellers, branches and history rows, then VACUUM;
 *   4. after 1% of the accounts updated in one key range (recent activity on a block of
 *      accounts), with a history row each, then VACUUM.
 *
 * For each night it prints what the repository grew by against the dump's size, and the
 * backup's peak memory (the dump is streamed, never held whole).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { pgBin, PG_BIN, startPostgres, type PostgresServer } from '../test/helpers/postgres.ts';
import { measure } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORK = path.join(ROOT, 'bench', '.data', 'dump-dedup');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const ORDERED_DUMP = path.join(ROOT, 'bench', 'pg-ordered-dump.sh');
const PASSWORD = 'bench-password';
const DATABASE = 'bench';
const scale = Number(process.argv.find((a) => a.startsWith('--scale='))?.split('=')[1] ?? 30);

interface Format {
  name: string;
  filename: string;
  command: string[];
}

const FORMATS: Format[] = [
  { name: 'pg_dump -Fp', filename: 'bench.sql', command: [pgBin('pg_dump'), '-Fp', DATABASE] },
  { name: 'pg_dump -Fc', filename: 'bench.dump', command: [pgBin('pg_dump'), '-Fc', DATABASE] },
  { name: 'pg_dump -Fc -Z0', filename: 'bench.dump', command: [pgBin('pg_dump'), '-Fc', '-Z0', DATABASE] },
  { name: 'ordered (pg-ordered-dump.sh)', filename: 'bench.sql', command: ['bash', ORDERED_DUMP, DATABASE] },
];

const NIGHTS = ['first dump', 'unchanged', '1% uniform (pgbench)', '1% clustered'] as const;

interface Night {
  dumpBytes: number;
  /** Plaintext bytes of new chunks: what dedup did not find. */
  dataAdded: number;
  /** What the repository grew by, after compression and encryption. */
  bytesAdded: number;
  seconds: number;
  peakRssBytes: number;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

async function backupNight(pg: PostgresServer, format: Format, repo: string): Promise<Night> {
  const env = {
    ...process.env,
    ...pg.clientEnv,
    PATH: `${PG_BIN}:${process.env.PATH ?? ''}`,
    RESTIC_PASSWORD: PASSWORD,
  };
  const m = await measure(
    process.execPath,
    [CLI, '-r', repo, '--json', 'backup', '--host', 'bench', '--stdin-filename', format.filename, '--stdin-from-command', '--', ...format.command],
    env,
  );
  const summary = JSON.parse(m.stdout.trim().split('\n').at(-1)!);
  return { dumpBytes: summary.dump_bytes, dataAdded: summary.data_added, bytesAdded: summary.bytes_added, seconds: summary.total_duration, peakRssBytes: m.peakRssBytes };
}

async function changeUniform(pg: PostgresServer): Promise<string> {
  const transactions = Math.round((scale * 100_000) / 100);
  await pg.run('pgbench', ['-c', '2', '-j', '2', '-t', String(transactions / 2), DATABASE]);
  await pg.sql(DATABASE, 'VACUUM ANALYZE');
  return `${transactions} pgbench transactions`;
}

async function changeClustered(pg: PostgresServer): Promise<string> {
  const accounts = scale * 100_000;
  const count = accounts / 100;
  const from = Math.floor(accounts * 0.37);
  await pg.sql(
    DATABASE,
    `BEGIN;
     UPDATE pgbench_accounts SET abalance = abalance + 17 WHERE aid > ${from} AND aid <= ${from + count};
     INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) SELECT 1, bid, aid, 17, now() FROM pgbench_accounts WHERE aid > ${from} AND aid <= ${from + count};
     COMMIT;`,
  );
  await pg.sql(DATABASE, 'VACUUM ANALYZE');
  return `accounts ${from + 1}..${from + count} updated`;
}

await rm(WORK, { recursive: true, force: true });
await mkdir(WORK, { recursive: true });
const pg = await startPostgres();
try {
  process.stderr.write(`pgbench -i -s ${scale} ...\n`);
  await pg.createDatabase(DATABASE);
  await pg.run('pgbench', ['-i', '-s', String(scale), '-q', DATABASE]);
  // pgbench's rows are blanks and zeros, which zstd shrinks a hundredfold and which no real
  // table looks like: give each account a filler of hex text and a non-zero balance.
  await pg.sql(DATABASE, `UPDATE pgbench_accounts SET abalance = (aid::bigint * 7919) % 100000 - 50000, filler = substr(md5(aid::text) || md5((aid::bigint * 31)::text) || md5((aid::bigint * 17)::text), 1, 84)`);
  await pg.sql(DATABASE, 'VACUUM FULL ANALYZE');
  const databaseSize = await pg.sql(DATABASE, `SELECT pg_size_pretty(pg_database_size('${DATABASE}'))`);

  const repos = FORMATS.map((_, i) => path.join(WORK, `repo-${i}`));
  for (const repo of repos) {
    execFileSync(process.execPath, [CLI, '-r', repo, 'init'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD }, stdio: 'ignore' });
  }
  const results: Night[][] = FORMATS.map(() => []);
  const changes: string[] = [];
  for (const [n, night] of NIGHTS.entries()) {
    if (n === 2) changes.push(await changeUniform(pg));
    if (n === 3) changes.push(await changeClustered(pg));
    for (const [i, format] of FORMATS.entries()) {
      process.stderr.write(`night ${n + 1} (${night}): ${format.name} ...\n`);
      results[i]!.push(await backupNight(pg, format, repos[i]!));
    }
  }

  console.log(`pgbench scale ${scale} (${scale * 100_000} accounts), database ${databaseSize}; PostgreSQL ${await pg.sql(DATABASE, 'SHOW server_version')}`);
  console.log(`night 3: ${changes[0]}; night 4: ${changes[1]}\n`);
  console.log('New data: plaintext bytes of chunks the repository did not have (what dedup missed), against the dump.');
  console.log('Stored: what the repository grew by (compressed, encrypted, with index and snapshot), against night 1.\n');
  console.log(`| format | dump size | night 1 stored | ${NIGHTS.slice(1).map((n, i) => `night ${i + 2}, ${n}: new data / stored`).join(' | ')} | peak memory |`);
  console.log(`|---|---|---|${NIGHTS.slice(1).map(() => '---|').join('')}---|`);
  for (const [i, format] of FORMATS.entries()) {
    const nights = results[i]!;
    const first = nights[0]!;
    const cells = nights.slice(1).map((r) => `${mib(r.dataAdded)} (${pct(r.dataAdded, r.dumpBytes)}) / ${mib(r.bytesAdded)} (${pct(r.bytesAdded, first.bytesAdded)})`);
    const peak = Math.max(...nights.map((r) => r.peakRssBytes));
    console.log(`| ${format.name} | ${mib(first.dumpBytes)} | ${mib(first.bytesAdded)} | ${cells.join(' | ')} | ${mib(peak)} |`);
  }
  console.log('\nbackup wall time per night (s):');
  for (const [i, format] of FORMATS.entries()) console.log(`  ${format.name}: ${results[i]!.map((r) => r.seconds.toFixed(1)).join(', ')}`);
} finally {
  await pg.stop();
}
