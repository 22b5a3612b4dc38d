/**
 * JSON the way Go's encoding/json (go1.19, restic 0.14) writes it, and a reader that
 * keeps 64-bit integers exact.
 */
import { integrityError } from '../errors.ts';

const HEX = '0123456789abcdef';

/** Characters that Go's encoder (with HTML escaping, the json.Marshal default) rewrites. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/**
 * A JSON string literal, quotes included, byte-compatible with Go 1.19 `json.Marshal`:
 * `"` and `\` backslashed; `\n` `\r` `\t` short escapes; other control characters and
 * `<` `>` `&` as `\u00XX` (lowercase hex; go1.19 has no `\b`/`\f` short forms);
 * U+2028/U+2029 as `\u2028`/`\u2029`; DEL and every other character literal.
 * A lone UTF-16 surrogate (which has no UTF-8 form) becomes `\ufffd`, as Go writes an
 * invalid UTF-8 byte.
 */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x80) {
      if (c === 0x22) rep = '\\"';
      else if (c === 0x5c) rep = '\\\\';
      else if (c === 0x0a) rep = '\\n';
      else if (c === 0x0d) rep = '\\r';
      else if (c === 0x09) rep = '\\t';
      else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
        rep = '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!;
      }
    } else if (c === 0x2028 || c === 0x2029) {
      rep = '\\u' + c.toString(16);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a valid pair: literal
      } else {
        rep = '\\ufffd';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      rep = '\\ufffd';
    }
    if (rep !== undefined) {
      out += s.slice(from, i) + rep;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

const INTEGER_LITERAL = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * Parses a JSON document (UTF-8 bytes or text). Integer literals become `bigint`, so
 * 64-bit values such as inode numbers stay exact; other numbers (fractions, exponents)
 * stay `number`. Uses the `context.source` argument that Node 24's JSON.parse gives a
 * reviver (TC39 "JSON.parse source text access"); without it, integers above 2^53 are
 * refused rather than silently rounded. Invalid JSON throws an Integrity error.
 * Invalid UTF-8 decodes to U+FFFD, as Go's decoder does; a BOM is a syntax error (Go).
 */
export function parseJson(input: Uint8Array | string, what: string): unknown {
  const text =
    typeof input === 'string' ? input : new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
  // Fast path: a plain parse, then integers turned into bigint in one walk. A reviver runs
  // a callback with source text for every value, about nine times slower, which restore
  // planning felt; it is kept for documents holding integers a double cannot represent,
  // and for number literals with a fraction or exponent (1.0 and 1e3 must stay numbers).
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (e) {
    if (e instanceof SyntaxError) throw integrityError(`${what}: invalid JSON: ${e.message}`, e);
    throw e;
  }
  if (!hasFractionOrExponent(text) && integersToBigInt(plain)) return plain;
  return parseWithSource(text, what);
}

/** Whether a number literal outside strings has a '.' or an exponent. */
function hasFractionOrExponent(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x2e || c === 0x65 || c === 0x45) {
      // '.', 'e', 'E' right after a digit (the 'e' of true/false follows a letter)
      const prev = text.charCodeAt(i - 1);
      if (prev >= 0x30 && prev <= 0x39) return true;
    }
  }
  return false;
}

/**
 * Replaces every integer in a parsed document by a bigint, in place. Returns false (leaving
 * the document half-converted, to be parsed again) when an integer lies beyond 2^53.
 */
function integersToBigInt(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) return false;
        value[i] = BigInt(v);
      } else if (v !== null && typeof v === 'object' && !integersToBigInt(v)) return false;
    }
    return true;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const v = record[key];
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) return false;
        record[key] = BigInt(v);
      } else if (v !== null && typeof v === 'object' && !integersToBigInt(v)) return false;
    }
  }
  return true;
}

function parseWithSource(text: string, what: string): unknown {
  try {
    return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
      if (typeof value !== 'number') return value;
      const source = context?.source;
      if (source !== undefined) return INTEGER_LITERAL.test(source) ? BigInt(source) : value;
      if (Number.isSafeInteger(value)) return BigInt(value);
      if (Number.isInteger(value)) {
        throw integrityError(`${what}: integer ${value} cannot be read exactly on this runtime`);
      }
      return value;
    } as (this: unknown, key: string, value: unknown) => unknown);
  } catch (e) {
    if (e instanceof SyntaxError) throw integrityError(`${what}: invalid JSON: ${e.message}`, e);
    throw e;
  }
}
