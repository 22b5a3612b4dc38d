/**
 * The SQLite round trip: `sqlite3 app.db .dump` streamed into a snapshot by the action,
 * restored, loaded into a fresh database file whose schema, row counts and row checksums
 * equal the source's; and the drill doing the same into a scratch database.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const SQLITE_BIN = process.env.SQLITE_BIN ?? '/usr/bin/sqlite3';
const PASSWORD = 'sqlite-dump-secret';

function sqlite(db: string, sqlOrCommand: string, input?: string): Promise<string> {
  if (!existsSync(SQLITE_BIN)) {
    throw new Error(`sqlite3 is not installed at ${SQLITE_BIN}: install the Debian package sqlite3 ('apt-get install sqlite3'; .ci/run does this)`);
  }
  return new Promise((resolve, reject) => {
    const child = execFile(SQLITE_BIN, ['-batch', '-bail', db, ...(sqlOrCommand ? [sqlOrCommand] : [])], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`sqlite3 ${db} failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

const TABLES = { customers: 'id', orders: 'id', tags: 'name' } as const;

/** The schema, and per table its row count and a SHA-256 of every row in key order. */
async function fingerprint(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { schema: await sqlite(db, '.schema') };
  for (const [table, key] of Object.entries(TABLES)) {
    const rows = await sqlite(db, `SELECT * FROM ${table} ORDER BY ${key}`);
    const count = (await sqlite(db, `SELECT count(*) FROM ${table}`)).trim();
    out[table] = `${count} ${createHash('sha256').update(rows).digest('hex')}`;
  }
  return out;
}

describe('SQLite dumps streamed into snapshots and loaded back', () => {
  let workspace: string;
  let db: string;
  let source: Record<string, string>;
  const base = () => ({ repository: 'repo', password: PASSWORD });

  beforeAll(async () => {
    workspace = await makeTempDir('dump-sqlite');
    db = path.join(workspace, 'app.db');
    // 40,000 customers and 120,000 orders with text, reals, blobs and NULLs: a dump of
    // about 12 MB, several chunks.
    await sqlite(
      db,
      '',
      `
      PRAGMA foreign_keys = ON;
      CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, balance REAL, avatar BLOB);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total REAL, note TEXT);
      CREATE TABLE tags (name TEXT PRIMARY KEY, created TEXT) WITHOUT ROWID;
      CREATE INDEX orders_by_customer ON orders(customer_id);
      CREATE VIEW big_spenders AS SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id HAVING spent > 1000;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
        INSERT INTO customers SELECT i, 'customer ' || i || ' ''quoted''', 'user' || i || '@example.com', i * 1.25,
          CASE WHEN i % 7 = 0 THEN NULL ELSE zeroblob(8) || randomblob(8) END FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
        INSERT INTO orders SELECT i, (i * 7919) % 40000 + 1, (i % 997) * 3.5, CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || hex(randomblob(6)) END FROM n;
      INSERT INTO tags VALUES ('nightly', '2026-01-01'), ('weekly', '2026-01-05'), ('ünïcode', NULL);
      `,
    );
    source = await fingerprint(db);
    expect(source.orders!.startsWith('120000 ')).toBe(true);
  });
  afterAll(() => removeDir(workspace));

  it('the action streams sqlite3 .dump into a snapshot; the restored dump loads into a fresh database with equal schema, rows and checksums', async () => {
    const run = await runAction({ ...base(), 'dump-command': `${SQLITE_BIN} -bail app.db .dump`, 'dump-filename': 'app.sql', tags: 'nightly' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    const dumpBytes = Number(run.outputs['dump-bytes']);
    expect(dumpBytes).toBeGreaterThan(8_000_000);
    expect(run.outputs['files-new']).toBe('1');

    const restore = await runAction({ ...base(), mode: 'restore', target: 'restored' }, workspace);
    expect(restore.code, restore.stdout).toBe(0);
    const dump = await readFile(path.join(workspace, 'restored', 'app.sql'), 'utf8');
    expect(Buffer.byteLength(dump)).toBe(dumpBytes);
    expect(dump.startsWith('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;')).toBe(true);
    expect(dump.trimEnd().endsWith('COMMIT;')).toBe(true);

    const fresh = path.join(workspace, 'fresh.db');
    await sqlite(fresh, '', dump);
    expect(await fingerprint(fresh)).toEqual(source);
  });

  it('the drill loads the latest dump into a scratch database and queries it', async () => {
    const orders = source.orders!;
    const drillCommand = [
      'scratch="$RUNNER_TEMP/drill-scratch.db"',
      `trap 'rm -f "$scratch"' EXIT`,
      `${SQLITE_BIN} -bail "$scratch" < "$CHUNKVAULT_RESTORE_DIR/app.sql"`,
      `${SQLITE_BIN} "$scratch" 'PRAGMA integrity_check' | grep -qx ok`,
      `count=$(${SQLITE_BIN} "$scratch" 'SELECT count(*) FROM orders')`,
      'echo "scratch orders: $count"',
      `test "$count" = "${orders.split(' ')[0]}"`,
    ].join('\n');
    const run = await runAction({ ...base(), mode: 'drill', tags: 'nightly', 'max-snapshot-age': '1h', 'drill-command': drillCommand }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['drill-status']).toBe('passed');
    expect(run.stdout).toContain('scratch orders: 120000');
    expect(existsSync(path.join(workspace, 'drill-scratch.db'))).toBe(false);
  });
});
