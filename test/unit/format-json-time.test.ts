import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/engine/errors.ts';
import {
  clampTime,
  formatTime,
  GO_ZERO_TIME_NS,
  goJsonString,
  MAX_TIME_NS,
  MIN_TIME_NS,
  parseJson,
  parseTime,
} from '../../src/engine/format/index.ts';
import { expectCode } from '../helpers/expect-code.ts';

describe('Go-compatible JSON strings', () => {
  // Expected values produced by go1.19.8 json.Marshal(string).
  const goVectors: [string, string][] = [
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['<script>&amp;</script>', '"\\u003cscript\\u003e\\u0026amp;\\u003c/script\\u003e"'],
    ['\u0000\u0001\u0007\b\t\n\u000b\f\r\u001f\u007f', '"\\u0000\\u0001\\u0007\\u0008\\t\\n\\u000b\\u000c\\r\\u001f\u007f"'],
    ['\u2028x\u2029', '"\\u2028x\\u2029"'],
    ['é日本😀', '"é日本😀"'],
    ['\ufffd', '"\ufffd"'],
    ['\u00a0\ufeff', '"\u00a0\ufeff"'],
    ["it's /slash/", '"it\'s /slash/"'],
  ];

  it('escapes exactly like Go 1.19 json.Marshal', () => {
    for (const [s, json] of goVectors) {
      expect(goJsonString(s)).toBe(json);
      expect(JSON.parse(goJsonString(s))).toBe(s);
    }
  });

  it('writes lone surrogates as \\ufffd, as Go writes invalid UTF-8', () => {
    expect(goJsonString('a\ud800b')).toBe('"a\\ufffdb"');
    expect(goJsonString('\udc00')).toBe('"\\ufffd"');
    expect(goJsonString('x\ud83d')).toBe('"x\\ufffd"');
    expect(goJsonString('\ud83d\ude00')).toBe('"😀"');
  });
});

describe('bigint-safe JSON parsing', () => {
  it('gets the number source text from the JSON.parse reviver on this runtime', () => {
    let source: string | undefined;
    JSON.parse('18446744073709551615', (_k, v, ctx?: { source?: string }) => {
      source = ctx?.source;
      return v;
    });
    expect(source).toBe('18446744073709551615');
  });

  it('keeps integers above 2^53 exact and other numbers as numbers', () => {
    const doc = parseJson('{"a":18446744073709551615,"b":9007199254740993,"c":-5,"d":1.5,"e":1e3,"f":[0]}', 't') as Record<
      string,
      unknown
    >;
    expect(doc['a']).toBe(18446744073709551615n);
    expect(doc['b']).toBe(9007199254740993n);
    expect(doc['c']).toBe(-5n);
    expect(doc['d']).toBe(1.5);
    expect(doc['e']).toBe(1000);
    expect(doc['f']).toEqual([0n]);
  });

  it('throws Integrity on invalid JSON and on a byte order mark', () => {
    expectCode(ErrorCode.Integrity, () => parseJson('{"a":', 't'));
    expectCode(ErrorCode.Integrity, () => parseJson(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), 't'));
    expect(parseJson(new TextEncoder().encode(' {} \n'), 't')).toEqual({});
  });
});

const S = 1_000_000_000n;

describe('timestamps', () => {
  it('formats RFC 3339 in UTC, dropping trailing zeros of the fraction', () => {
    expect(formatTime(0n)).toBe('1970-01-01T00:00:00Z');
    expect(formatTime(1n)).toBe('1970-01-01T00:00:00.000000001Z');
    expect(formatTime(1_714_979_289n * S + 120_000_000n)).toBe('2024-05-06T07:08:09.12Z');
    expect(formatTime(1_714_979_289n * S + 123_456_789n)).toBe('2024-05-06T07:08:09.123456789Z');
    expect(formatTime(1_714_979_289n * S + 100n)).toBe('2024-05-06T07:08:09.0000001Z');
    expect(formatTime(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(formatTime(951_782_400n * S)).toBe('2000-02-29T00:00:00Z');
    expect(formatTime(GO_ZERO_TIME_NS)).toBe('0001-01-01T00:00:00Z');
    expect(formatTime(MIN_TIME_NS)).toBe('0000-01-01T00:00:00Z');
    expect(formatTime(MAX_TIME_NS)).toBe('9999-12-31T23:59:59.999999999Z');
  });

  it('refuses years outside 0..9999 and clamps them on request', () => {
    expectCode(ErrorCode.InvalidInput, () => formatTime(MAX_TIME_NS + 1n));
    expectCode(ErrorCode.InvalidInput, () => formatTime(MIN_TIME_NS - 1n));
    expect(formatTime(clampTime(MAX_TIME_NS * 2n))).toBe('9999-12-31T23:59:59.999999999Z');
    expect(formatTime(clampTime(MIN_TIME_NS * 2n))).toBe('0000-01-01T00:00:00Z');
    expect(clampTime(5n)).toBe(5n);
  });

  it('parses zones, fractions of any length and the zero time', () => {
    const t = 1_714_979_289n * S;
    expect(parseTime('2024-05-06T07:08:09Z')).toBe(t);
    expect(parseTime('2024-05-06T09:08:09.12+02:00')).toBe(t + 120_000_000n);
    expect(parseTime('2024-05-06T01:38:09.000000001-05:30')).toBe(t + 1n);
    expect(parseTime('2024-05-06T07:08:09.123456789Z')).toBe(t + 123_456_789n);
    expect(parseTime('2024-05-06T07:08:09.1234567891234Z')).toBe(t + 123_456_789n); // Go truncates
    expect(parseTime('2024-05-06T07:08:09,5Z')).toBe(t + 500_000_000n); // Go accepts a comma
    expect(parseTime('2024-05-06T07:08:09-00:00')).toBe(t);
    expect(parseTime('0001-01-01T00:00:00Z')).toBe(GO_ZERO_TIME_NS);
    expect(parseTime('1969-12-31T23:59:59.999999999Z')).toBe(-1n);
    expect(parseTime('2000-02-29T00:00:00Z')).toBe(951_782_400n * S);
  });

  it('round-trips formatting and parsing across the whole range', () => {
    const samples = [MIN_TIME_NS, MAX_TIME_NS, GO_ZERO_TIME_NS, 0n, -1n, 1n, 253_402_300_799n * S];
    for (let i = 0; i < 2000; i++) {
      const r = BigInt(Math.floor(Math.random() * 2 ** 52)) * 100_000n + BigInt(Math.floor(Math.random() * 100_000));
      samples.push(MIN_TIME_NS + (r % (MAX_TIME_NS - MIN_TIME_NS)));
    }
    for (const ns of samples) expect(parseTime(formatTime(ns))).toBe(ns);
  });

  it('rejects what Go time.Parse(RFC3339) rejects with an Integrity error', () => {
    for (const bad of [
      '2024-05-06T07:08:09', // no zone
      '2024-05-06 07:08:09Z',
      '2024-05-06t07:08:09Z',
      '2024-05-06T07:08:09z',
      '2024-05-06T07:08:09+0200',
      '2024-05-06T07:08:09+2:00',
      '2024-05-06T07:08:09.Z',
      '2024-05-06T07:08:60Z', // no leap second
      '2024-05-06T24:00:00Z',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-00-01T00:00:00Z',
      '12024-05-06T07:08:09Z',
      '-001-05-06T07:08:09Z',
      '',
    ]) {
      expectCode(ErrorCode.Integrity, () => parseTime(bad));
    }
  });
});
