/** The restorer's pure rules: include patterns, node-name safety, and timestamps through Node's double seconds. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileIncludes } from '../../src/engine/restorer/include.ts';
import { unsafeNameReason } from '../../src/engine/restorer/node-names.ts';
import { nsSetBy, utimeSeconds } from '../../src/engine/restorer/times.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

describe('include patterns (restic semantics)', () => {
  const cases: [string[], string, boolean][] = [
    [['/srv/app'], '/srv/app', true],
    [['/srv/app'], '/srv/app/config/db.yml', true], // a matching directory includes everything below
    [['/srv/app'], '/srv/application', false],
    [['/srv/app'], '/other/srv/app', false], // absolute patterns are anchored
    [['app'], '/other/srv/app/x', true], // relative ones match at any depth
    [['*.sql'], '/backups/2026/dump.sql', true],
    [['*.sql'], '/backups/dump.sql.gz', false],
    [['app/*.yml'], '/srv/app/a.yml', true],
    [['app/*.yml'], '/srv/app/sub/a.yml', false],
    [['/srv/**/*.yml'], '/srv/a/b/c.yml', true],
    [['/srv/**/*.yml'], '/srv/c.yml', true],
    [['/srv/**/*.yml'], '/etc/c.yml', false],
    [['file?.txt'], '/x/file1.txt', true],
    [['file[0-4].txt'], '/x/file5.txt', false],
    [['file[^0-4].txt'], '/x/file5.txt', true],
    [['caf\u00e9'], '/caf\u00e9/x', true],
    [['/a', 'b'], '/c/b', true],
    [[], '/anything', true],
  ];
  it.each(cases)('%j matches %j: %s', (patterns, p, expected) => {
    expect(compileIncludes(patterns).matches(p)).toBe(expected);
  });

  it('enters only directories below which an absolute pattern can match', () => {
    const m = compileIncludes(['/srv/app/config']);
    expect(m.childMayMatch('/')).toBe(true);
    expect(m.childMayMatch('/srv')).toBe(true);
    expect(m.childMayMatch('/srv/app')).toBe(true);
    expect(m.childMayMatch('/srv/other')).toBe(false);
    expect(m.childMayMatch('/etc')).toBe(false);
    expect(compileIncludes(['config']).childMayMatch('/etc')).toBe(true);
    expect(compileIncludes(['/srv/**/x']).childMayMatch('/srv/a/b/c')).toBe(true);
  });

  it('rejects a malformed pattern with a clear error', () => {
    expect(() => compileIncludes(['file[0-9'])).toThrow('include: invalid pattern "file[0-9" (a "[" is not closed)');
  });
});

describe('node names', () => {
  const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));
  it.each([
    ['', 'the name is empty'],
    ['.', 'the name is "."'],
    ['..', 'the name is ".."'],
    ['a/b', 'the name contains "/"'],
    ['/', 'the name contains "/"'],
    ['a\0b', 'the name contains a NUL byte'],
  ])('refuses %j', (name, reason) => {
    expect(unsafeNameReason(b(name))).toBe(reason);
  });
  it.each(['...', '.hidden', '..x', 'x..', 'a\\b', ' ', 'caf\u00e9'])('accepts %j', (name) => {
    expect(unsafeNameReason(b(name))).toBeUndefined();
  });
  it('accepts bytes that are not UTF-8', () => {
    expect(unsafeNameReason(b([0x62, 0xff, 0xfe]))).toBeUndefined();
  });
});

describe('timestamps through fs.utimes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('times');
  });
  afterAll(() => removeDir(dir));

  it('finds the double that sets a reachable time exactly, and stays within 119 ns otherwise', () => {
    // Times Node itself set are reachable: they round-trip exactly.
    for (const seconds of [1_700_000_000.123456789, 1_000_000_000.5, 981_173_106.789, 12.25]) {
      const ns = nsSetBy(seconds);
      expect(nsSetBy(utimeSeconds(ns))).toBe(ns);
    }
    let worst = 0n;
    for (let i = 0; i < 20_000; i++) {
      const ns = 1_795_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15));
      const off = nsSetBy(utimeSeconds(ns)) - ns;
      const abs = off < 0n ? -off : off;
      if (abs > worst) worst = abs;
    }
    expect(worst).toBeLessThanOrEqual(119n);
    expect(utimeSeconds(-5n)).toBe(0); // before 1970: the epoch (Node would set "now")
  });

  it('predicts what the file system records', () => {
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, '');
    for (const ns of [1_795_453_044_492_948_418n, 981_173_106_789_000_000n, 1_234_567_890_123_456_789n]) {
      const s = utimeSeconds(ns);
      fs.utimesSync(file, s, s);
      expect(fs.statSync(file, { bigint: true }).mtimeNs).toBe(nsSetBy(s));
    }
  });
});
