/**
 * Property test of the chunker against a reference written from the format document
 * (restic-format.md section 10) as plainly as possible: BigInt digest, a 64-byte window
 * ring, every byte hashed from the start of each chunk (no skipping), restic's extra push
 * of byte 1 at every reset. Random data (noise, zero runs, short repeats) is fed to
 * chunkStream in random read sizes; the cut points must be the reference's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, chunkStream, randomPolynomial } from '../../src/engine/chunker/index.ts';

const WINDOW = 64;
const SPLIT_MASK = (1n << 20n) - 1n;

function degree(p: bigint): number {
  return p.toString(2).length - 1;
}

/** a mod p over GF(2): long division with XOR. */
function gf2Mod(a: bigint, p: bigint): bigint {
  const dp = degree(p);
  while (a !== 0n && degree(a) >= dp) a ^= p << BigInt(degree(a) - dp);
  return a;
}

/** The chunk lengths restic's chunker gives for `data`, computed byte by byte. */
function referenceChunkLengths(data: Uint8Array, pol: bigint): number[] {
  const k = degree(pol);
  const shift = BigInt(k - 8);
  const out: bigint[] = [];
  const mod: bigint[] = [];
  for (let b = 0n; b < 256n; b++) {
    out.push(gf2Mod(b << BigInt(8 * (WINDOW - 1)), pol));
    mod.push(gf2Mod(b << BigInt(k), pol) | (b << BigInt(k)));
  }
  const window = new Uint8Array(WINDOW);
  let wpos = 0;
  let digest = 0n;
  const push = (b: number) => {
    const leaving = window[wpos]!;
    window[wpos] = b;
    wpos = (wpos + 1) % WINDOW;
    digest ^= out[leaving]!;
    const top = Number(digest >> shift);
    digest = ((digest << 8n) | BigInt(b)) ^ mod[top]!;
  };
  const reset = () => {
    window.fill(0);
    wpos = 0;
    digest = 0n;
    push(1);
  };

  const lengths: number[] = [];
  let length = 0;
  reset();
  for (const b of data) {
    push(b);
    length++;
    if (length >= MIN_CHUNK_SIZE && ((digest & SPLIT_MASK) === 0n || length >= MAX_CHUNK_SIZE)) {
      lengths.push(length);
      length = 0;
      reset();
    }
  }
  if (length > 0) lengths.push(length);
  return lengths;
}

/** Pieces of `data` with sizes taken in turn from `sizes`, as a file read would return them. */
async function* readInPieces(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.byteLength; i++) {
    const n = sizes[i % sizes.length]!;
    yield data.subarray(at, at + n);
    at += n;
  }
}

/** Data of the shapes that matter: noise, long zero runs (a cut at MIN), short repeats. */
const segment = fc.oneof(
  fc.record({ kind: fc.constant('noise' as const), seed: fc.integer({ min: 1, max: 0x7fff_ffff }), length: fc.integer({ min: 1, max: 1_500_000 }) }),
  fc.record({ kind: fc.constant('zeros' as const), length: fc.integer({ min: 1, max: 1_200_000 }) }),
  fc.record({ kind: fc.constant('repeat' as const), unit: fc.uint8Array({ minLength: 1, maxLength: 7 }), length: fc.integer({ min: 1, max: 300_000 }) }),
);
type Segment = typeof segment extends fc.Arbitrary<infer S> ? S : never;

/** At most this much data per case: the BigInt reference costs about 50 ns a byte. */
const MAX_CASE_BYTES = 3_000_000;

function build(segments: Segment[]): Uint8Array {
  const total = Math.min(MAX_CASE_BYTES, segments.reduce((sum, s) => sum + s.length, 0));
  const data = new Uint8Array(total);
  let at = 0;
  for (const s of segments) {
    const end = Math.min(total, at + s.length);
    if (s.kind === 'noise') {
      let x = s.seed;
      for (let i = at; i < end; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        data[i] = x & 0xff;
      }
    } else if (s.kind === 'repeat') {
      for (let i = at; i < end; i++) data[i] = s.unit[(i - at) % s.unit.length]!;
    }
    at = end;
  }
  return data;
}

const readSizes = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 500_000, max: 3_000_000 })),
  { minLength: 1, maxLength: 8 },
);

/** Runs of the reference comparison: each case hashes up to 3 MB with BigInt. */
const CHUNKER_RUNS = 8;

describe('the chunker', () => {
  // restic's test polynomial, the format document's MAX-cut one, and one drawn as init draws it.
  let x = 0x9e3779b9;
  const drawn = randomPolynomial((n) =>
    Uint8Array.from({ length: n }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 0xff;
    }),
  );
  const polynomials = [0x3da3358b4dc173n, 0x2482734cacca49n, drawn];

  it('cuts where the plain reference chunker cuts, whatever the read sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), readSizes, fc.constantFrom(...polynomials), async (segments, sizes, pol) => {
        const data = build(segments);
        const lengths: number[] = [];
        let joined = 0;
        for await (const chunk of chunkStream(readInPieces(data, sizes), pol)) {
          expect(Buffer.compare(chunk, data.subarray(joined, joined + chunk.byteLength))).toBe(0);
          lengths.push(chunk.byteLength);
          joined += chunk.byteLength;
        }
        expect(joined).toBe(data.byteLength);
        expect(lengths).toEqual(referenceChunkLengths(data, pol));
      }),
      { numRuns: CHUNKER_RUNS },
    );
  });
});
