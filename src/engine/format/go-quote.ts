/**
 * Node names in restic trees are Go `strconv.Quote(rawName)` without the surrounding
 * quotes (doc 7.4). Names are byte strings: invalid UTF-8 survives as `\xHH`.
 * This module reproduces Go 1.19's Quote/Unquote (restic 0.14 is built with go1.19).
 */
import { integrityError } from '../errors.ts';
import { isGoPrint } from './unicode-print.ts';

const HEX = '0123456789abcdef';

function hex2(b: number): string {
  return HEX[b >> 4]! + HEX[b & 0xf]!;
}

/** Quoted forms of the 128 ASCII bytes. */
const ASCII_QUOTED: readonly string[] = (() => {
  const out: string[] = [];
  for (let b = 0; b < 0x80; b++) {
    let q: string;
    switch (b) {
      case 0x22: q = '\\"'; break;
      case 0x5c: q = '\\\\'; break;
      case 0x07: q = '\\a'; break;
      case 0x08: q = '\\b'; break;
      case 0x0c: q = '\\f'; break;
      case 0x0a: q = '\\n'; break;
      case 0x0d: q = '\\r'; break;
      case 0x09: q = '\\t'; break;
      case 0x0b: q = '\\v'; break;
      default:
        q = b < 0x20 || b === 0x7f ? '\\x' + hex2(b) : String.fromCharCode(b);
    }
    out.push(q);
  }
  return out;
})();

/**
 * Go's `utf8.DecodeRune` at `i` for a non-ASCII lead byte: returns the code point and
 * its width, or -1 when the bytes are not valid UTF-8 there (Go then consumes 1 byte).
 * Rejects overlong forms, surrogates and values above U+10FFFF, like Go.
 */
function decodeRune(b: Uint8Array, i: number): [cp: number, width: number] {
  const b0 = b[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): number => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi ? c & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = b0 === 0xe0 ? cont(1, 0xa0) : b0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    if (c1 < 0) return [-1, 1];
    const c2 = cont(2);
    if (c2 < 0) return [-1, 1];
    return [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = b0 === 0xf0 ? cont(1, 0x90) : b0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    if (c1 < 0) return [-1, 1];
    const c2 = cont(2);
    if (c2 < 0) return [-1, 1];
    const c3 = cont(3);
    if (c3 < 0) return [-1, 1];
    return [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [-1, 1];
}

/**
 * Go `strconv.Quote(string(raw))` without the surrounding double quotes.
 * The result is what restic stores (before JSON encoding) in a node's `name`.
 */
export function quoteName(raw: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const b = raw[i]!;
    if (b < 0x80) {
      out += ASCII_QUOTED[b]!;
      i++;
      continue;
    }
    const [cp, width] = decodeRune(raw, i);
    if (cp < 0) {
      out += '\\x' + hex2(b);
    } else if (isGoPrint(cp)) {
      out += String.fromCodePoint(cp);
    } else if (cp < 0x10000) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
    i += width;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Appends the UTF-8 encoding of a code point (U+FFFD for a lone surrogate). */
function pushUtf8(out: number[], cp: number): void {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else {
    out.push(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 0x3f),
      0x80 | ((cp >> 6) & 0x3f),
      0x80 | (cp & 0x3f),
    );
  }
}

const NEEDS_UNQUOTE = /["\\\n]/;

/**
 * Inverse of {@link quoteName}: Go `strconv.Unquote('"' + quoted + '"')` as raw bytes.
 * Accepts every escape Go accepts in a double-quoted string (`\a \b \f \n \r \t \v \\ \"`,
 * `\xHH`, `\ooo`, `\uHHHH`, `\UHHHHHHHH`, hex digits in either case) and raw characters
 * other than `"` and newline. Throws an Integrity error where Go returns ErrSyntax.
 * The input is a JS string (already JSON-decoded); a lone surrogate counts as U+FFFD,
 * as Go's JSON decoder would have produced.
 */
export function unquoteName(quoted: string): Uint8Array {
  if (!NEEDS_UNQUOTE.test(quoted)) return new TextEncoder().encode(quoted);
  const bad = (why: string): never => {
    throw integrityError(`invalid quoted node name ${JSON.stringify(quoted)}: ${why}`);
  };
  const out: number[] = [];
  let i = 0;
  const n = quoted.length;
  while (i < n) {
    const c = quoted.charCodeAt(i);
    if (c === 0x22) bad('unescaped double quote');
    if (c === 0x0a) bad('raw newline');
    if (c !== 0x5c) {
      const cp = quoted.codePointAt(i)!;
      pushUtf8(out, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    // backslash escape
    if (i + 1 >= n) bad('trailing backslash');
    const e = quoted[i + 1]!;
    i += 2;
    switch (e) {
      case 'a': out.push(0x07); break;
      case 'b': out.push(0x08); break;
      case 'f': out.push(0x0c); break;
      case 'n': out.push(0x0a); break;
      case 'r': out.push(0x0d); break;
      case 't': out.push(0x09); break;
      case 'v': out.push(0x0b); break;
      case '\\': out.push(0x5c); break;
      case '"': out.push(0x22); break;
      case 'x':
      case 'u':
      case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        if (i + len > n) bad(`short \\${e} escape`);
        let v = 0;
        for (let k = 0; k < len; k++) {
          const h = hexValue(quoted.charCodeAt(i + k));
          if (h < 0) bad(`bad hex digit in \\${e} escape`);
          v = v * 16 + h;
        }
        i += len;
        if (e === 'x') {
          out.push(v); // a single raw byte, possibly not UTF-8
        } else {
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) bad(`invalid rune in \\${e} escape`);
          pushUtf8(out, v);
        }
        break;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        let v = e.charCodeAt(0) - 0x30;
        if (i + 2 > n) bad('short octal escape');
        for (let k = 0; k < 2; k++) {
          const d = quoted.charCodeAt(i + k) - 0x30;
          if (d < 0 || d > 7) bad('bad octal digit');
          v = (v << 3) | d;
        }
        i += 2;
        if (v > 255) bad('octal escape above \\377');
        out.push(v);
        break;
      }
      default:
        bad(`unknown escape \\${e}`);
    }
  }
  return Uint8Array.from(out);
}

/** Go string order of raw names: bytewise, a prefix sorts first. Returns <0, 0 or >0. */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A raw name as text, the way a Go program sees the string: valid UTF-8 decoded, and
 * each byte that is not valid UTF-8 kept as the lone surrogate U+DC00+byte. goJsonString
 * writes such a surrogate as `\ufffd`, just as Go's JSON encoder writes an invalid byte,
 * so names in JSON output match restic's byte for byte; printed, it shows as U+FFFD.
 */
export function nameText(raw: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(raw);
  } catch {
    // Not valid UTF-8: decode rune by rune, as Go's range over a string does.
  }
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const b = raw[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const [cp, width] = decodeRune(raw, i);
    out += cp < 0 ? String.fromCharCode(0xdc00 + b) : String.fromCodePoint(cp);
    i += width;
  }
  return out;
}
