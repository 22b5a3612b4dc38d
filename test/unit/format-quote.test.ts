import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/engine/errors.ts';
import { compareNames, goJsonString, isGoPrint, quoteName, unquoteName } from '../../src/engine/format/index.ts';
import { GO_PRINT_RUNS } from '../../src/engine/format/unicode-print.ts';
import { expectCode } from '../helpers/expect-code.ts';

const bytes = (s: string | number[]): Uint8Array =>
  typeof s === 'string' ? new TextEncoder().encode(s) : Uint8Array.from(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** How a raw name appears as the JSON text of the `name` field: Go-quoted, then JSON-encoded. */
const nameJson = (raw: Uint8Array): string => goJsonString(quoteName(raw));

describe('Go name quoting', () => {
  it('reproduces every example of the escaping table in doc 7.4', () => {
    const table: [Uint8Array, string][] = [
      [bytes('plain.txt'), '"plain.txt"'],
      [bytes('a"b'), '"a\\\\\\"b"'],
      [bytes('a\\b'), '"a\\\\\\\\b"'],
      [bytes('tab\tx'), '"tab\\\\tx"'],
      [bytes('nul\0'), '"nul\\\\x00"'],
      [bytes([0x7f]), '"\\\\x7f"'],
      [bytes('nbsp\u00a0'), '"nbsp\\\\u00a0"'],
      [bytes('\u200b'), '"\\\\u200b"'],
      [bytes([0x62, 0x61, 0x64, 0xff]), '"bad\\\\xff"'],
      [bytes('café'), '"café"'],
      [bytes('emoji😀'), '"emoji😀"'],
    ];
    for (const [raw, json] of table) {
      expect(nameJson(raw)).toBe(json);
      expect(unquoteName(JSON.parse(json) as string)).toEqual(raw);
    }
  });

  // Expected values produced by go1.19.8 (the toolchain of Debian's restic 0.14):
  // [raw name hex, strconv.Quote without quotes, json.Marshal of that].
  const goVectors: [string, string, string][] = [
    ['07080c0a0d090b1b', '\\a\\b\\f\\n\\r\\t\\v\\x1b', '"\\\\a\\\\b\\\\f\\\\n\\\\r\\\\t\\\\v\\\\x1b"'],
    ['c2ad', '\\u00ad', '"\\\\u00ad"'],
    ['e280a8e280a9', '\\u2028\\u2029', '"\\\\u2028\\\\u2029"'],
    ['efbbbf', '\\ufeff', '"\\\\ufeff"'],
    ['ee8080', '\\ue000', '"\\\\ue000"'],
    ['f3b08080', '\\U000f0000', '"\\\\U000f0000"'],
    ['f09faba0', '\\U0001fae0', '"\\\\U0001fae0"'], // U+1FAE0, new in Unicode 14: Go 1.19 escapes it
    ['f09f9880', '😀', '"😀"'],
    ['efbfbd', '\ufffd', '"\ufffd"'], // a real U+FFFD is printable
    ['eda080', '\\xed\\xa0\\x80', '"\\\\xed\\\\xa0\\\\x80"'], // UTF-8-encoded surrogate
    ['c0af', '\\xc0\\xaf', '"\\\\xc0\\\\xaf"'], // overlong
    ['80', '\\x80', '"\\\\x80"'],
    ['c280', '\\u0080', '"\\\\u0080"'], // C1 control
    ['f4908080', '\\xf4\\x90\\x80\\x80', '"\\\\xf4\\\\x90\\\\x80\\\\x80"'], // above U+10FFFF
    ['e282', '\\xe2\\x82', '"\\\\xe2\\\\x82"'], // truncated sequence
    ['3c3e26', '<>&', '"\\u003c\\u003e\\u0026"'],
    ['69742773', "it's", '"it\'s"'],
    ['e697a5e69cac', '日本', '"日本"'],
    ['cdb8', '\\u0378', '"\\\\u0378"'], // unassigned
    ['f3a08081', '\\U000e0001', '"\\\\U000e0001"'],
    ['e38080', '\\u3000', '"\\\\u3000"'], // ideographic space (Zs)
    ['20', ' ', '" "'],
    ['f48fbfbf', '\\U0010ffff', '"\\\\U0010ffff"'],
    ['d89c', '\\u061c', '"\\\\u061c"'],
  ];

  it('matches Go 1.19 strconv.Quote on controls, invalid UTF-8 and non-printables', () => {
    for (const [rawHex, quoted, json] of goVectors) {
      const raw = Uint8Array.from(Buffer.from(rawHex, 'hex'));
      expect(quoteName(raw), rawHex).toBe(quoted);
      expect(nameJson(raw), rawHex).toBe(json);
      expect(hex(unquoteName(quoted)), rawHex).toBe(rawHex);
    }
  });

  it('uses the Unicode 13 printable table of Go 1.19, not the runtime\'s newer Unicode', () => {
    expect(GO_PRINT_RUNS).toBe(678);
    expect(isGoPrint(0x20)).toBe(true);
    expect(isGoPrint(0x7e)).toBe(true);
    expect(isGoPrint(0x7f)).toBe(false);
    expect(isGoPrint(0xa0)).toBe(false);
    expect(isGoPrint(0xe9)).toBe(true);
    expect(isGoPrint(0x1f600)).toBe(true);
    expect(isGoPrint(0x1fae0)).toBe(false); // Unicode 14
    expect(/\p{S}/u.test('\u{1fae0}')).toBe(true); // ...which the runtime calls a symbol
    expect(isGoPrint(0x10ffff)).toBe(false);
  });

  it('round-trips random byte names, including invalid UTF-8, controls, non-printables and astral characters', () => {
    const pieces = [
      () => Uint8Array.from([randomInt(256)]),
      () => Uint8Array.from([randomInt(0x20)]),
      () => bytes(['\u00a0', '\u200b', '\ufeff', '\u2028', '\u00ad', '\ue000', '"', '\\', '<', '&', '\x7f'][randomInt(11)]!),
      () => bytes(String.fromCodePoint(0x1f300 + randomInt(0x700))),
      () => bytes(String.fromCodePoint(0x80 + randomInt(0xd000))),
      () => Uint8Array.from([0xed, 0xa0 + randomInt(0x20), 0x80 + randomInt(0x40)]),
      () => randomBytes(1 + randomInt(4)),
    ];
    for (let i = 0; i < 3000; i++) {
      const parts: Uint8Array[] = [];
      for (let k = 1 + randomInt(8); k > 0; k--) parts.push(pieces[randomInt(pieces.length)]!());
      const raw = Uint8Array.from(Buffer.concat(parts));
      const quoted = quoteName(raw);
      // Through JSON exactly as restic stores it, then back.
      const viaJson = JSON.parse(goJsonString(quoted)) as string;
      expect(hex(unquoteName(viaJson))).toBe(hex(raw));
      // Quoted names never carry raw controls or invalid text.
      expect(quoted).not.toMatch(/[\u0000-\u001f\u007f\u2028\ud800-\udfff]/u);
    }
  });

  it('accepts every escape form Go accepts when unquoting', () => {
    expect(hex(unquoteName('\\x41\\xFf\\101\\377\\u00E9\\U0001F600\\\\\\"'))).toBe(
      '41ff41ffc3a9f09f98805c22',
    );
    // Raw control characters other than newline are legal inside a Go string literal.
    expect(hex(unquoteName('a\tb\rc\u0000'))).toBe('6109620d6300');
    expect(hex(unquoteName(''))).toBe('');
  });

  it('rejects what Go Unquote rejects with an Integrity error', () => {
    for (const bad of [
      'a"b', // unescaped quote
      'a\nb', // raw newline
      "\\'", // \' is only valid in single-quoted strings
      '\\', // trailing backslash
      '\\q',
      '\\x4',
      '\\xg0',
      '\\u12',
      '\\ud800', // surrogate
      '\\U00110000', // above U+10FFFF
      '\\400', // octal above 255
      '\\18',
      '\\0',
    ]) {
      expectCode(ErrorCode.Integrity, () => unquoteName(bad));
    }
  });

  it('treats a lone surrogate (JSON "\\ud800") like Go: as U+FFFD', () => {
    expect(hex(unquoteName('\ud800'))).toBe('efbfbd');
    expect(hex(unquoteName('\\t\ud800'))).toBe('09efbfbd');
  });
});

describe('name order', () => {
  it('compares raw bytes, not UTF-16 code units', () => {
    const fffd = bytes('\ufffd'); // EF BF BD
    const emoji = bytes('😀'); // F0 9F 98 80, but UTF-16 D83D < FFFD
    expect('😀' < '\ufffd').toBe(true);
    expect(compareNames(fffd, emoji)).toBeLessThan(0);
    expect(compareNames(emoji, fffd)).toBeGreaterThan(0);
  });

  it('sorts a prefix first and treats bytes as unsigned', () => {
    expect(compareNames(bytes('ab'), bytes('abc'))).toBeLessThan(0);
    expect(compareNames(bytes('abc'), bytes('ab'))).toBeGreaterThan(0);
    expect(compareNames(bytes('ab'), bytes('ab'))).toBe(0);
    expect(compareNames(bytes([0x7f]), bytes([0x80]))).toBeLessThan(0);
    expect(compareNames(bytes('Z'), bytes('a'))).toBeLessThan(0);
    expect(compareNames(new Uint8Array(0), bytes([0]))).toBeLessThan(0);
  });
});
