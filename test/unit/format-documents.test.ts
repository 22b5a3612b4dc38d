import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/engine/errors.ts';
import {
  parseConfig,
  parseIndex,
  parseLock,
  parseSnapshot,
  serializeConfig,
  serializeIndex,
  serializeLock,
  serializeSnapshot,
  type IndexFile,
  type LockInfo,
  type Snapshot,
} from '../../src/engine/format/index.ts';
import { expectCode } from '../helpers/expect-code.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const id = (c: string): string => c.repeat(64);

describe('snapshots', () => {
  const full: Snapshot = {
    time: 1_795_445_729_581_270_300n,
    parent: id('1'),
    tree: id('2'),
    paths: ['/home/user/src', '/etc'],
    hostname: 'vm<1>',
    username: 'root',
    uid: 1000,
    gid: 100,
    excludes: ['*.tmp'],
    tags: ['t1', 't2'],
    original: id('3'),
    programVersion: 'chunkvault 0.1.0',
    summary: {
      backupStart: 1_795_445_720_000_000_000n,
      backupEnd: 1_795_445_729_500_000_000n,
      filesNew: 1,
      filesChanged: 2,
      filesUnmodified: 3,
      dirsNew: 4,
      dirsChanged: 5,
      dirsUnmodified: 6,
      dataBlobs: 7,
      treeBlobs: 8,
      dataAdded: 9,
      dataAddedPacked: 10,
      totalFilesProcessed: 11,
      totalBytesProcessed: 12,
    },
  };

  it('writes all fields in restic order, summary in restic 0.17 spelling, no trailing newline', () => {
    expect(dec(serializeSnapshot(full))).toBe(
      `{"time":"2026-11-23T14:55:29.5812703Z","parent":"${id('1')}","tree":"${id('2')}",` +
        `"paths":["/home/user/src","/etc"],"hostname":"vm\\u003c1\\u003e","username":"root","uid":1000,"gid":100,` +
        `"excludes":["*.tmp"],"tags":["t1","t2"],"original":"${id('3')}","program_version":"chunkvault 0.1.0",` +
        `"summary":{"backup_start":"2026-11-23T14:55:20Z","backup_end":"2026-11-23T14:55:29.5Z","files_new":1,` +
        `"files_changed":2,"files_unmodified":3,"dirs_new":4,"dirs_changed":5,"dirs_unmodified":6,"data_blobs":7,` +
        `"tree_blobs":8,"data_added":9,"data_added_packed":10,"total_files_processed":11,"total_bytes_processed":12}}`,
    );
    expect(parseSnapshot(serializeSnapshot(full))).toEqual(full);
  });

  it('leaves out empty optional fields but always writes paths', () => {
    const minimal: Snapshot = { time: 0n, tree: id('2'), paths: [] };
    expect(dec(serializeSnapshot(minimal))).toBe(`{"time":"1970-01-01T00:00:00Z","tree":"${id('2')}","paths":[]}`);
    const empties: Snapshot = { ...minimal, hostname: '', username: '', uid: 0, gid: 0, excludes: [], tags: [], programVersion: '' };
    expect(serializeSnapshot(empties)).toEqual(serializeSnapshot(minimal));
    expect(parseSnapshot(serializeSnapshot(minimal))).toEqual(minimal);
  });

  it('reads restic 0.14 snapshots with a local zone, unknown fields and null paths', () => {
    const s = parseSnapshot(
      enc(`{"time":"2026-11-23T15:55:29.5+01:00","tree":"${id('A')}","paths":null,"dir":"/old","id":"x","hostname":"h"}`),
    );
    expect(s).toEqual({ time: 1_795_445_729_500_000_000n, timeOffsetSeconds: 3600, tree: id('a'), paths: [], hostname: 'h' });
    // A rewrite keeps the time as it was written, offset and all.
    expect(new TextDecoder().decode(serializeSnapshot(s))).toMatch(/^\{"time":"2026-11-23T15:55:29\.5\+01:00",/);
  });

  it('writes and reads a description under rustic\'s key, after the fields restic knows', () => {
    const s: Snapshot = { time: 0n, tree: id('a'), paths: ['/x'], description: 'run https://example/1' };
    const text = new TextDecoder().decode(serializeSnapshot(s));
    expect(text).toBe(`{"time":"1970-01-01T00:00:00Z","tree":"${id('a')}","paths":["/x"],"description":"run https://example/1"}`);
    expect(parseSnapshot(serializeSnapshot(s))).toEqual(s);
  });

  it('writes and reads the read-error count of a partial snapshot last, and nothing for a whole one', () => {
    const s: Snapshot = { time: 0n, tree: id('a'), paths: ['/x'], description: 'd', readErrors: 3 };
    const text = new TextDecoder().decode(serializeSnapshot(s));
    expect(text).toBe(`{"time":"1970-01-01T00:00:00Z","tree":"${id('a')}","paths":["/x"],"description":"d","read_errors":3}`);
    expect(parseSnapshot(serializeSnapshot(s))).toEqual(s);
    expect(new TextDecoder().decode(serializeSnapshot({ ...s, readErrors: 0 }))).not.toContain('read_errors');
  });

  it('throws Integrity on a missing tree, invalid IDs and wrongly typed fields', () => {
    for (const bad of [
      '{"time":"2026-11-23T14:55:29Z","paths":[]}',
      `{"time":"2026-11-23T14:55:29Z","tree":"abc","paths":[]}`,
      `{"time":"2026-11-23T14:55:29Z","tree":"${id('a')}","parent":"${id('g')}"}`,
      `{"time":"2026-11-23T14:55:29Z","tree":"${id('a')}","paths":"/x"}`,
      `{"time":"2026-11-23T14:55:29Z","tree":"${id('a')}","tags":[1]}`,
      `{"time":1,"tree":"${id('a')}"}`,
      `{"time":"2026-11-23T14:55:29Z","tree":"${id('a')}","summary":{"files_new":-1}}`,
      `{"time":"2026-11-23T14:55:29Z","tree":"${id('a')}","read_errors":"2"}`,
      '[]',
      'nope',
    ]) {
      expectCode(ErrorCode.Integrity, () => parseSnapshot(enc(bad)));
    }
  });
});

describe('index files', () => {
  const compressed: IndexFile = {
    supersedes: [id('9'), id('8')],
    packs: [
      {
        id: id('1'),
        blobs: [
          { id: id('a'), type: 'data', offset: 0, length: 53, uncompressedLength: 12 },
          { id: id('b'), type: 'tree', offset: 53, length: 42, uncompressedLength: 1 },
        ],
      },
    ],
  };

  it('writes the restic shape with uncompressed_length for compressed blobs and a trailing newline', () => {
    expect(dec(serializeIndex(compressed))).toBe(
      `{"supersedes":["${id('9')}","${id('8')}"],"packs":[{"id":"${id('1')}","blobs":[` +
        `{"id":"${id('a')}","type":"data","offset":0,"length":53,"uncompressed_length":12},` +
        `{"id":"${id('b')}","type":"tree","offset":53,"length":42,"uncompressed_length":1}]}]}\n`,
    );
    expect(parseIndex(serializeIndex(compressed))).toEqual(compressed);
  });

  it('leaves out uncompressed_length for uncompressed blobs and supersedes when empty', () => {
    const plain: IndexFile = {
      supersedes: [],
      packs: [
        { id: id('1'), blobs: [{ id: id('a'), type: 'data', offset: 0, length: 44, uncompressedLength: 0 }] },
        { id: id('2'), blobs: [{ id: id('c'), type: 'data', offset: 0, length: 4294967295 }] },
      ],
    };
    expect(dec(serializeIndex(plain))).toBe(
      `{"packs":[{"id":"${id('1')}","blobs":[{"id":"${id('a')}","type":"data","offset":0,"length":44}]},` +
        `{"id":"${id('2')}","blobs":[{"id":"${id('c')}","type":"data","offset":0,"length":4294967295}]}]}\n`,
    );
    const back = parseIndex(serializeIndex(plain));
    expect(back.supersedes).toBeUndefined();
    expect(back.packs[0]!.blobs[0]).toEqual({ id: id('a'), type: 'data', offset: 0, length: 44 });
    expect(dec(serializeIndex({ packs: [] }))).toBe('{"packs":[]}\n');
  });

  it('reads the old format, a top-level array of packs', () => {
    const old = `[{"id":"${id('1')}","blobs":[{"id":"${id('A')}","type":"tree","offset":0,"length":99}]}]`;
    expect(parseIndex(enc(old))).toEqual({
      packs: [{ id: id('1'), blobs: [{ id: id('a'), type: 'tree', offset: 0, length: 99 }] }],
    });
  });

  it('reads mixed compressed and uncompressed entries, null lists and unknown fields', () => {
    const text = `{"packs":[{"id":"${id('1')}","blobs":[{"id":"${id('a')}","type":"data","offset":0,"length":40,"uncompressed_length":0},
      {"id":"${id('b')}","type":"tree","offset":40,"length":50,"uncompressed_length":70,"x":1}]},{"id":"${id('2')}","blobs":null}],"supersedes":null}`;
    expect(parseIndex(enc(text))).toEqual({
      packs: [
        {
          id: id('1'),
          blobs: [
            { id: id('a'), type: 'data', offset: 0, length: 40 },
            { id: id('b'), type: 'tree', offset: 40, length: 50, uncompressedLength: 70 },
          ],
        },
        { id: id('2'), blobs: [] },
      ],
    });
  });

  it('throws Integrity on bad types, IDs and numbers', () => {
    const blob = (b: string): string => `{"packs":[{"id":"${id('1')}","blobs":[${b}]}]}`;
    for (const bad of [
      blob(`{"id":"${id('a')}","type":"blob","offset":0,"length":1}`),
      blob(`{"id":"${id('a')}","offset":0,"length":1}`),
      blob(`{"id":"${id('a')}","type":"data","offset":-1,"length":1}`),
      blob(`{"id":"${id('a')}","type":"data","offset":0,"length":1.5}`),
      blob(`{"id":"${id('a')}","type":"data","offset":0,"length":"1"}`),
      blob(`{"id":"${id('a')}","type":"data","offset":0,"length":1e3}`),
      blob(`{"id":"abc","type":"data","offset":0,"length":1}`),
      blob(`{"type":"data","offset":0,"length":1}`),
      `{"packs":[{"blobs":[]}]}`,
      `{"packs":{}}`,
      `{"supersedes":["x"],"packs":[]}`,
      `"x"`,
      `{"packs":[`,
    ]) {
      expectCode(ErrorCode.Integrity, () => parseIndex(enc(bad)));
    }
  });
});

describe('lock files', () => {
  it('writes restic field order and leaves out uid/gid when 0', () => {
    const l: LockInfo = { time: 1_714_979_289_123_456_789n, exclusive: false, hostname: 'vm', username: 'root', pid: 13607, uid: 1000, gid: 100 };
    expect(dec(serializeLock(l))).toBe(
      '{"time":"2024-05-06T07:08:09.123456789Z","exclusive":false,"hostname":"vm","username":"root","pid":13607,"uid":1000,"gid":100}',
    );
    expect(parseLock(serializeLock(l))).toEqual(l);
    const root: LockInfo = { ...l, exclusive: true, uid: 0, gid: 0 };
    expect(dec(serializeLock(root))).toBe(
      '{"time":"2024-05-06T07:08:09.123456789Z","exclusive":true,"hostname":"vm","username":"root","pid":13607}',
    );
    expect(parseLock(serializeLock(root))).toEqual({ ...l, exclusive: true, uid: undefined, gid: undefined });
  });

  it('reads a lock with a local time zone and throws Integrity when malformed', () => {
    expect(parseLock(enc('{"time":"2024-05-06T07:08:09.123456789+02:00","exclusive":true,"hostname":"h","username":"u","pid":1}'))).toEqual({
      time: 1_714_972_089_123_456_789n,
      exclusive: true,
      hostname: 'h',
      username: 'u',
      pid: 1,
    });
    expectCode(ErrorCode.Integrity, () => parseLock(enc('{"time":"x","exclusive":false}')));
    expectCode(ErrorCode.Integrity, () => parseLock(enc('{"time":"2024-05-06T07:08:09Z","exclusive":"no"}')));
    expectCode(ErrorCode.Integrity, () => parseLock(enc('{"time":"2024-05-06T07:08:09Z","pid":1.5}')));
  });
});

describe('config', () => {
  it('writes version, id and the polynomial as lowercase hex without leading zeros', () => {
    const c = { version: 2, id: id('e'), chunkerPolynomial: 0x25b468838dcb75n };
    expect(dec(serializeConfig(c))).toBe(`{"version":2,"id":"${id('e')}","chunker_polynomial":"25b468838dcb75"}`);
    expect(parseConfig(serializeConfig(c))).toEqual(c);
  });

  it('reads version 1 and any base-16 uint64 polynomial', () => {
    expect(parseConfig(enc(`{"version":1,"id":"x","chunker_polynomial":"0025B468838DCB75"}`))).toEqual({
      version: 1,
      id: 'x',
      chunkerPolynomial: 0x25b468838dcb75n,
    });
    expect(parseConfig(enc(`{"version":2,"id":"x","chunker_polynomial":"ffffffffffffffff"}`)).chunkerPolynomial).toBe(
      0xffffffffffffffffn,
    );
  });

  it('refuses other versions as Unsupported and malformed documents as Integrity', () => {
    expectCode(ErrorCode.Unsupported, () => parseConfig(enc('{"version":3,"id":"x","chunker_polynomial":"1"}')));
    expectCode(ErrorCode.Unsupported, () => parseConfig(enc('{"id":"x","chunker_polynomial":"1"}')));
    for (const bad of [
      '{"version":2,"id":"x","chunker_polynomial":"0x25"}',
      '{"version":2,"id":"x","chunker_polynomial":""}',
      '{"version":2,"id":"x","chunker_polynomial":"10000000000000000"}',
      '{"version":2,"id":"x","chunker_polynomial":123}',
      '{"version":2,"id":5,"chunker_polynomial":"1"}',
      '{"version":"2","id":"x","chunker_polynomial":"1"}',
      'null',
    ]) {
      expectCode(ErrorCode.Integrity, () => parseConfig(enc(bad)));
    }
  });
});
