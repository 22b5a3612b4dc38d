/**
 * What the property tests share: how many cases each property runs, the ways a stored
 * file gets damaged (bits flipped, cut short, grown, JSON punctuation swapped in), and the
 * two verdicts a reader may give on damaged input.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ChunkvaultError } from '../../src/engine/errors.ts';

/** Cases per property: enough to find a parser's blind spot, cheap enough for every CI run. */
export const FUZZ_RUNS = 100;

/** One damage to apply to a file, at positions drawn as fractions of its length. */
type Damage =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number; count: number };

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Bytes that change the meaning of JSON the most when swapped in. */
const JSON_BYTES = [...'{}[]",:-+.0123456789eE\\u ntf'].map((c) => c.charCodeAt(0));

function damage(byte: fc.Arbitrary<number>): fc.Arbitrary<Damage> {
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fraction, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fraction }),
    fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fraction, byte }),
    fc.record({ kind: fc.constant('delete' as const), at: fraction, count: fc.integer({ min: 1, max: 8 }) }),
  );
}

/** `original` with one damage applied to its bytes in [from, end); the result always differs. */
function applyDamage(original: Uint8Array, d: Damage, from: number): Uint8Array {
  const span = original.byteLength - from;
  const pos = (f: number) => from + Math.floor(f * span);
  switch (d.kind) {
    case 'flip': {
      const out = original.slice();
      out[pos(d.at)]! ^= d.mask;
      return out;
    }
    case 'truncate':
      return original.slice(0, pos(d.keep));
    case 'extend': {
      const out = new Uint8Array(original.byteLength + d.extra.byteLength);
      out.set(original);
      out.set(d.extra, original.byteLength);
      return out;
    }
    case 'insert': {
      const at = pos(d.at);
      const out = new Uint8Array(original.byteLength + 1);
      out.set(original.subarray(0, at));
      out[at] = d.byte;
      out.set(original.subarray(at), at + 1);
      return out;
    }
    case 'delete': {
      const at = pos(d.at);
      const end = Math.min(original.byteLength, at + d.count);
      const out = new Uint8Array(original.byteLength - (end - at));
      out.set(original.subarray(0, at));
      out.set(original.subarray(end), at);
      return out;
    }
  }
}

/** Damaged copies of binary data; flips and edits land at or after `from` (the part under test). */
export function mutatedBytes(original: Uint8Array, from = 0): fc.Arbitrary<Uint8Array> {
  if (original.byteLength <= from) throw new Error('nothing to damage');
  return damage(fc.integer({ min: 0, max: 255 })).map((d) => applyDamage(original, d, from));
}

/** Damaged copies of a JSON document: like mutatedBytes, inserting JSON punctuation, and swapping one byte for it. */
export function mutatedText(original: Uint8Array): fc.Arbitrary<Uint8Array> {
  const jsonByte = fc.constantFrom(...JSON_BYTES);
  const swapped = fc.tuple(fraction, jsonByte).map(([at, byte]) => {
    const out = original.slice();
    out[Math.floor(at * out.byteLength)] = byte;
    return out;
  });
  return fc.oneof(damage(jsonByte).map((d) => applyDamage(original, d, 0)), swapped);
}

/** The verdict on damaged authenticated data: refused, with our typed error. */
export function expectRefused(read: () => unknown): ChunkvaultError {
  let thrown: unknown;
  try {
    read();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ChunkvaultError);
  return thrown as ChunkvaultError;
}

/**
 * The verdict on damaged plain JSON, which a change can leave valid: read, or refused with
 * our typed error; never a TypeError, RangeError or other crash.
 */
export function expectReadOrRefused(read: () => unknown): void {
  try {
    read();
  } catch (e) {
    if (!(e instanceof ChunkvaultError)) throw new Error(`not a ChunkvaultError: ${String(e)}`, { cause: e });
  }
}
