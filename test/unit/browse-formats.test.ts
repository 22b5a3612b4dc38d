/**
 * The pure pieces of dump, ls and find, against values Go's libraries produce:
 * FileMode.String(), archive/tar's header checksum, name split and PAX record lengths,
 * restic's path prefix rule and find's time layouts.
 */
import { describe, expect, it } from 'vitest';
import { parseFindTime } from '../../src/engine/browse/find-time.ts';
import { tarHeader, TarType, type TarEntry } from '../../src/engine/browse/tar-header.ts';
import { hasPathPrefix } from '../../src/engine/commands/ls.ts';
import { goModeString, goTypeBits } from '../../src/engine/format/mode.ts';

const entry = (over: Partial<TarEntry>): TarEntry => ({
  name: Buffer.from('a.txt'),
  type: TarType.File,
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 3,
  mtimeSeconds: 1_700_000_000,
  linkname: '',
  uname: 'root',
  gname: 'root',
  paxRecords: new Map(),
  ...over,
});

const field = (b: Uint8Array, at: number, size: number) => Buffer.from(b.subarray(at, at + size)).toString('latin1').replace(/\0.*$/s, '');

describe('Go FileMode strings', () => {
  it('prints type letters, special bits and permissions as Go does', () => {
    expect(goModeString(0o644)).toBe('-rw-r--r--');
    expect(goModeString(goTypeBits('dir') | 0o755)).toBe('drwxr-xr-x');
    expect(goModeString(goTypeBits('symlink') | 0o777)).toBe('Lrwxrwxrwx');
    expect(goModeString(goTypeBits('chardev') | 0o620)).toBe('Dcrw--w----');
    expect(goModeString(0x80_0000 | 0o755)).toBe('urwxr-xr-x'); // setuid
    expect(goModeString((goTypeBits('dir') | 0x10_0000 | 0o777) >>> 0)).toBe('dtrwxrwxrwx'); // sticky
  });
});

describe('tar headers', () => {
  it('has a valid checksum and USTAR magic', () => {
    const h = tarHeader(entry({}));
    expect(h.length).toBe(512);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    expect(parseInt(field(h, 148, 7), 8)).toBe(sum);
    expect(field(h, 257, 6)).toBe('ustar');
    expect(field(h, 100, 8)).toBe('0000644');
  });

  it('splits a long ASCII name into prefix and name, with nothing after the name', () => {
    const name = `${'d'.repeat(70)}/${'f'.repeat(60)}.txt`;
    const h = tarHeader(entry({ name: Buffer.from(name) }));
    expect(h.length).toBe(512);
    expect(field(h, 0, 100)).toBe(`${'f'.repeat(60)}.txt`);
    expect(field(h, 345, 155)).toBe('d'.repeat(70));
  });

  it('writes a PAX record whose length counts its own digits', () => {
    // 'path=' + 91 bytes + ' ' + '\n' = 98, plus 2 digits = 100: the length needs 3 digits, so 101.
    const name = `é${'x'.repeat(89)}`;
    const h = tarHeader(entry({ name: Buffer.from(name) }));
    expect(h.length).toBe(3 * 512);
    expect(String.fromCharCode(h[156]!)).toBe('x');
    const record = Buffer.from(h.subarray(512, 1024)).toString('utf8').replace(/\0+$/, '');
    expect(record).toBe(`101 path=${name}\n`);
    expect(Buffer.byteLength(record)).toBe(101);
    // Go's names for the two headers: ASCII only, cut to 100 bytes.
    expect(field(h, 0, 100)).toBe(`PaxHeaders.0/${'x'.repeat(89)}`.slice(0, 100));
    expect(field(h, 1024, 100)).toBe('x'.repeat(89));
  });
});

describe('restic path prefixes and find times', () => {
  it('matches a directory and what lies below it, not a sibling with the same start', () => {
    expect(hasPathPrefix('/srv', '/srv')).toBe(true);
    expect(hasPathPrefix('/srv', '/srv/app/x')).toBe(true);
    expect(hasPathPrefix('/srv', '/srvx')).toBe(false);
    expect(hasPathPrefix('/', '/anything')).toBe(true);
    expect(hasPathPrefix('/srv/app', '/srv')).toBe(false);
  });

  it("parses restic's layouts and refuses anything else, naming the flag", () => {
    expect(parseFindTime('2026-12-05 14:30:00 +0100', '--oldest')).toBe(BigInt(Date.UTC(2026, 11, 5, 13, 30)) * 1_000_000n);
    expect(parseFindTime('05.12.2026', '--oldest')).toBe(BigInt(new Date(2026, 11, 5).getTime()) * 1_000_000n);
    expect(parseFindTime('2026-12-05 14:30', '--newest')).toBe(BigInt(new Date(2026, 11, 5, 14, 30).getTime()) * 1_000_000n);
    expect(() => parseFindTime('yesterday', '--newest')).toThrow(/--newest/);
    expect(() => parseFindTime('2026-13-01', '--newest')).toThrow(/not a valid time/);
  });
});
