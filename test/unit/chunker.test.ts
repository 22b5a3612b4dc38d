import { describe, expect, it } from 'vitest';
import { idOf } from '../../src/engine/format/id.ts';
import {
  Chunker,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  chunkStream,
  isIrreducible,
  polynomialDegree,
  randomPolynomial,
} from '../../src/engine/chunker/index.ts';
import { polynomialMod } from '../../src/engine/chunker/polynomial.ts';
import { buildModTable, buildOutTable, chunkerTables } from '../../src/engine/chunker/tables.ts';

// Vectors from docs/restic-format.md section 10.7 (generated with Go restic/chunker v0.4.0).
const P = 0x3da3358b4dc173n;
const P_MAX_CUT = 0x2482734cacca49n;
const MiB = 1024 * 1024;

/** Doc 10.7 vector B generator: xorshift32 from 0x12345678, each state written little-endian. */
function xorshiftBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  const words = new Uint32Array(out.buffer, 0, length >>> 2);
  let x = 0x12345678;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return out;
}

/** A small deterministic PRNG for piece sizes (not the vector generator). */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

interface Span {
  start: number;
  length: number;
}

/** Chunk boundaries of one file handed to the chunker in the given pieces (copied, so no stray reads). */
function chunkPieces(pieces: Iterable<Uint8Array>, pol: bigint): Span[] {
  const chunker = new Chunker(pol);
  const spans: Span[] = [];
  let chunkStart = 0;
  let offset = 0;
  for (const piece of pieces) {
    let at = 0;
    for (;;) {
      const cut = chunker.next(piece, at, piece.length);
      if (cut < 0) break;
      spans.push({ start: chunkStart, length: offset + cut - chunkStart });
      chunkStart = offset + cut;
      at = cut;
    }
    offset += piece.length;
  }
  if (offset > chunkStart) spans.push({ start: chunkStart, length: offset - chunkStart });
  return spans;
}

const chunkAll = (data: Uint8Array, pol: bigint): Span[] => chunkPieces([data], pol);

const withHashes = (data: Uint8Array, spans: Span[]) =>
  spans.map((s) => [s.start, s.length, idOf(data.subarray(s.start, s.start + s.length))]);

/** Cuts `data` at the given offsets into copied pieces. */
function splitAt(data: Uint8Array, offsets: Iterable<number>): Uint8Array[] {
  const cuts = [...new Set([0, ...offsets, data.length])]
    .filter((o) => o >= 0 && o <= data.length)
    .sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  for (let k = 1; k < cuts.length; k++) pieces.push(data.slice(cuts[k - 1], cuts[k]));
  return pieces;
}

async function* asyncPieces(pieces: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of pieces) yield p;
}

async function collect(source: AsyncIterable<Uint8Array>, pol: bigint): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of chunkStream(source, pol)) chunks.push(c);
  return chunks;
}

const VECTOR_B = xorshiftBytes(24 * MiB);

const VECTOR_B_CHUNKS: [number, number, string][] = [
  [0, 1158221, 'eeb951cf4d74e5a2c1071352149fe43acab12569bced5196d749dd2ebc74fe9b'],
  [1158221, 2662417, '26d2c83e85dd5b9f79d6c80fe6ccd1a6dc49c73d7181c15196b6b75687814250'],
  [3820638, 1617608, '1d61c7c42a5bbdb3f587dc519eab51d615bc9a22614449b1ee15b0c687aa4801'],
  [5438246, 1441592, 'ecb3193b51106119550eb092f3c3c41666c5be80a2043347e2046283dc9a4f32'],
  [6879838, 751876, '8305d6baf45cec8cddaa88902692bbade35ba8133451ac931879f42eabcb7906'],
  [7631714, 2223328, '98a7ce683f11f39d56b1e267252a189d40dbbd9282cfdeed3d01a4ae3ffbbdbe'],
  [9855042, 942411, 'f15f27430a171a740c6b459ff53dc5fdd7435f36344806add9bbf1455fb42272'],
  [10797453, 1436895, 'a1a31ba6dede8847ba307c4b53aa96aca50a845ec3b9ca725a648a461c82f450'],
  [12234348, 6205198, 'a853f2f0a8e771f4c61372d342c835e0a265e6460067cb7d5ea29d983bc0aa17'],
  [18439546, 1580032, 'ba0c61ee36a744618b9f334ad7e1b009826706716d20dc5b56e9b40acf3b7593'],
  [20019578, 1297334, '9c3bb62dcd325a96601aa9a8f56b7bd84268814f3d42856adb38ae51d62435c3'],
  [21316912, 707617, 'd6dc5dfe064ed5fafad83731b64878c687e9dd45b9edb57a3c75bb2a7240ddff'],
  [22024529, 571973, '07454e582ca3cf7bf0666beb82fa7da69bc55d852954c7bb50551ed2eccd9354'],
  [22596502, 602624, 'f1d6bb85f2e6b8680b01d27678406a90a36f63d81774325a2e50a634bd7403a3'],
  [23199126, 1966698, '3aa92ab3c7b69ef536a816f5094a02d7086e5db1f991fb863b0de8964422dc66'],
];

describe('chunker polynomials', () => {
  it('gives the degree as the index of the highest set bit, and -1 for zero', () => {
    expect(polynomialDegree(P)).toBe(53);
    expect(polynomialDegree(1n)).toBe(0);
    expect(polynomialDegree(0n)).toBe(-1);
    expect(polynomialDegree(1n << 63n)).toBe(63);
  });

  it('tells irreducible from reducible polynomials as the format notes list them', () => {
    expect(isIrreducible(0x3da3358b4dc173n)).toBe(true);
    expect(isIrreducible(0x2482734cacca49n)).toBe(true);
    expect(isIrreducible(0x38f1e565e288dfn)).toBe(false);
    expect(isIrreducible(0x30a8295b9d5c91n)).toBe(false);
  });

  it('knows small cases: x and x^2+x+1 are irreducible, x^2+1 and constants are not', () => {
    expect(isIrreducible(0b10n)).toBe(true);
    expect(isIrreducible(0b111n)).toBe(true);
    expect(isIrreducible(0b101n)).toBe(false);
    expect(isIrreducible(1n)).toBe(false);
  });

  it('picks a random polynomial of degree 53 that is irreducible', () => {
    for (let n = 0; n < 3; n++) {
      const pol = randomPolynomial();
      expect(polynomialDegree(pol)).toBe(53);
      expect(pol & 1n).toBe(1n);
      expect(isIrreducible(pol)).toBe(true);
    }
  });

  it('reads 8 little-endian bytes, masks them to degree 53 and retries until irreducible', () => {
    const le = (v: bigint) => {
      const b = new Uint8Array(8);
      for (let i = 0; i < 8; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
      return b;
    };
    // Reducible first; then bits 54..63 set and bits 0 and 53 clear, which the mask fixes.
    const draws = [le(0x30a8295b9d5c91n), le(0xffc0_0000_0000_0000n | (P_MAX_CUT & ~((1n << 53n) | 1n)))];
    const requested: number[] = [];
    const pol = randomPolynomial((n) => {
      requested.push(n);
      return draws.shift()!;
    });
    expect(pol).toBe(P_MAX_CUT);
    expect(requested).toEqual([8, 8]);
  });
});

describe('chunker tables', () => {
  it('matches the OUT and MOD values of the format notes', () => {
    const out = buildOutTable(P);
    const mod = buildModTable(P);
    expect(out[1]).toBe(0x0017eb4232e19216n);
    expect(out[2]).toBe(0x001275b1ee8ee55fn);
    expect(out[128]).toBe(0x0005b54453ea6b5cn);
    expect(out[255]).toBe(0x000b80b98cecc39an);
    expect(mod[1]).toBe(0x003da3358b4dc173n);
    expect(mod[2]).toBe(0x0046e55e9dd64395n);
    expect(mod[128]).toBe(0x1012ab55b228ad4dn);
    expect(mod[255]).toBe(0x1ff7ac8a5af476a7n);
  });

  it('packs MOD into int32 halves and builds each polynomial once', () => {
    const tables = chunkerTables(P);
    expect(tables.topShift).toBe(13);
    const mod255 = (BigInt(tables.table[255]! >>> 0) << 32n) | BigInt(tables.table[256 + 255]! >>> 0);
    expect(mod255).toBe(0x1ff7ac8a5af476a7n);
    expect(chunkerTables(P)).toBe(tables);
  });

  it('refuses polynomials whose degree the int32 digest cannot hold', () => {
    expect(() => new Chunker(0x11bn)).toThrow(/degree 8/);
    expect(() => new Chunker(1n << 60n)).toThrow(/degree 60/);
  });
});

describe('chunker test vectors', () => {
  it('cuts zeros at MIN: vector A', () => {
    const data = new Uint8Array(4 * MIN_CHUNK_SIZE + 100);
    expect(withHashes(data, chunkAll(data, P))).toEqual([
      ...[0, 1, 2, 3].map((k) => [
        k * MIN_CHUNK_SIZE,
        MIN_CHUNK_SIZE,
        '07854d2fef297a06ba81685e660c332de36d5d18d546927d30daad6d7fda1541',
      ]),
      [4 * MIN_CHUNK_SIZE, 100, 'cd00e292c5970d3c5e2f0ffa5171e555bc46bfc4faddfb4a418b6840b86e79a3'],
    ]);
  });

  it('keeps a 1000-byte input as one chunk', () => {
    expect(chunkAll(new Uint8Array(1000), P)).toEqual([{ start: 0, length: 1000 }]);
  });

  it('gives no chunks for empty input', async () => {
    expect(chunkAll(new Uint8Array(0), P)).toEqual([]);
    expect(await collect(asyncPieces([]), P)).toEqual([]);
    expect(await collect(asyncPieces([new Uint8Array(0)]), P)).toEqual([]);
  });

  it('generates the vector B data the notes describe', () => {
    expect(Buffer.from(VECTOR_B.subarray(0, 16)).toString('hex')).toBe('a55a9887a3245b15c4f4204898acb381');
    expect(idOf(VECTOR_B)).toBe('5fa43fe80a3e203da43ae6316680c8b64d2cde777fe7351d591fe912f515a5ca');
  });

  it('splits xorshift data into the 15 chunks of vector B', () => {
    expect(withHashes(VECTOR_B, chunkAll(VECTOR_B, P))).toEqual(VECTOR_B_CHUNKS);
  });

  it('cuts at MAX and matches vector C with the second polynomial', () => {
    const chunks = withHashes(VECTOR_B, chunkAll(VECTOR_B, P_MAX_CUT));
    expect(chunks.slice(0, 5)).toEqual([
      [0, 8388608, '8cc36c4f0e447c239fa68637884d8260c10f2dea15783b2720d569d9f4a61dc3'],
      [8388608, 916117, '122d86be1e9270a041585b2ebb4caac326b804bd9d4f3a03450a031fa5b2f113'],
      [9304725, 2883967, 'e1fe52d7ee142a3c357662ef43373d44f73cc1453111891c578adec8994c0df3'],
      [12188692, 579123, 'fd51f8e22525b669ef8b20a74b93335290c6cbea107e9cd89ffb239338fe3ff3'],
      [12767815, 2152820, '76bd80e789fe6b83a6ae052bc0b18b875dd23d2ce76dcafb6b934979da6ed112'],
    ]);
    expect(chunks).toHaveLength(13);
    expect(chunks[12]!.slice(0, 2)).toEqual([24099946, 1065878]);
  });

  it('cuts 0xFF bytes at MAX: vector D', () => {
    const data = new Uint8Array(20 * MiB).fill(0xff);
    const chunks = withHashes(data, chunkAll(data, P));
    expect(chunks.map(([start, length]) => [start, length])).toEqual([
      [0, MAX_CHUNK_SIZE],
      [MAX_CHUNK_SIZE, MAX_CHUNK_SIZE],
      [2 * MAX_CHUNK_SIZE, 4 * MiB],
    ]);
    expect(chunks[0]![2]).toBe('9f9b02f5ee6cbef5e018c1ee424095fc21a842ea6968c0d36114b5930dab2ba1');
  });
});

/**
 * The library's procedure transcribed with BigInt, byte by byte (doc 10.3-10.5), including
 * the byte 1 it pushes at every reset. Slow: for small inputs only.
 */
function referenceCuts(data: Uint8Array, pol: bigint): number[] {
  const k = BigInt(polynomialDegree(pol));
  const out: bigint[] = [];
  const mod: bigint[] = [];
  for (let b = 0n; b < 256n; b++) {
    out.push(polynomialMod(b << (8n * 63n), pol));
    mod.push(polynomialMod(b << k, pol) | (b << k));
  }
  const cuts: number[] = [];
  for (let pos = 0; pos < data.length; ) {
    const window = new Uint8Array(64);
    let wpos = 0;
    let digest = 0n;
    const push = (b: number) => {
      digest ^= out[window[wpos]!]!;
      window[wpos] = b;
      wpos = (wpos + 1) % 64;
      const top = Number(digest >> (k - 8n));
      digest = ((digest << 8n) | BigInt(b)) ^ mod[top]!;
    };
    push(1);
    let cut = -1;
    for (let length = MIN_CHUNK_SIZE - 64; pos + length < data.length; ) {
      push(data[pos + length]!);
      length++;
      if (length >= MIN_CHUNK_SIZE && ((digest & 0xfffffn) === 0n || length >= MAX_CHUNK_SIZE)) {
        cut = pos + length;
        break;
      }
    }
    if (cut < 0) break;
    cuts.push(cut);
    pos = cut;
  }
  return cuts;
}

describe('chunker with other polynomial degrees', () => {
  // Irreducible polynomials of degree 40, 47 and 56, with inputs that have two cuts each.
  it.each([
    { degree: 40, pol: 0x10123456793n, seed: 4 },
    { degree: 47, pol: 0x8001234567b1n, seed: 1 },
    { degree: 56, pol: 0x1000001234567e1n, seed: 2 },
  ])('matches a BigInt transcription of the library for degree $degree', ({ degree, pol, seed }) => {
    expect(polynomialDegree(pol)).toBe(degree);
    expect(isIrreducible(pol)).toBe(true);
    const data = new Uint8Array(1_700_000);
    const rand = prng(seed);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
    const cuts = referenceCuts(data, pol);
    expect(cuts).toHaveLength(2);
    const spans = chunkAll(data, pol);
    expect(spans.slice(1).map((s) => s.start)).toEqual(cuts);
  });
});

describe('chunker input pieces', () => {
  const expected = VECTOR_B_CHUNKS.map(([start, length]) => ({ start, length }));

  /** Random piece sizes, with 1-byte pieces around every cut and every place hashing starts or is tested. */
  function pieceOffsets(seed: number): number[] {
    const rand = prng(seed);
    const offsets: number[] = [];
    for (let at = 0; at < VECTOR_B.length; ) {
      at += rand() < 0.3 ? 1 + Math.floor(rand() * 200) : 1 + Math.floor(rand() * 2 * MiB);
      offsets.push(at);
    }
    for (const { start } of expected) {
      for (const edge of [start, start + MIN_CHUNK_SIZE - 64, start + MIN_CHUNK_SIZE]) {
        for (let d = -70; d <= 70; d++) offsets.push(edge + d);
      }
    }
    return offsets;
  }

  it('finds the same boundaries when the data comes in random-sized pieces', () => {
    for (const seed of [1, 2, 3]) {
      expect(chunkPieces(splitAt(VECTOR_B, pieceOffsets(seed)), P)).toEqual(expected);
    }
  });

  it('finds the same boundaries when every byte is its own piece near the cuts', () => {
    const ones = expected.flatMap(({ start }) =>
      Array.from({ length: 200 }, (_, d) => start + MIN_CHUNK_SIZE - 100 + d),
    );
    const lastCuts = expected.flatMap(({ start, length }) =>
      Array.from({ length: 140 }, (_, d) => start + length - 70 + d),
    );
    expect(chunkPieces(splitAt(VECTOR_B, [...ones, ...lastCuts]), P)).toEqual(expected);
  });

  it('reads only buf[start, end) of each call', () => {
    // Each piece sits inside a larger buffer full of other bytes.
    const rand = prng(7);
    const pieces = splitAt(VECTOR_B, pieceOffsets(4));
    const chunker = new Chunker(P);
    const spans: Span[] = [];
    let chunkStart = 0;
    let offset = 0;
    for (const piece of pieces) {
      const pad = Math.floor(rand() * 100);
      const host = new Uint8Array(pad + piece.length + 100).fill(0xa5);
      host.set(piece, pad);
      let at = pad;
      for (;;) {
        const cut = chunker.next(host, at, pad + piece.length);
        if (cut < 0) break;
        spans.push({ start: chunkStart, length: offset + cut - pad - chunkStart });
        chunkStart = offset + cut - pad;
        at = cut;
      }
      offset += piece.length;
    }
    spans.push({ start: chunkStart, length: offset - chunkStart });
    expect(spans).toEqual(expected);
  });

  it('starts over after reset()', () => {
    const chunker = new Chunker(P);
    chunker.next(VECTOR_B, 3 * MiB, 3 * MiB + MIN_CHUNK_SIZE + 12345);
    chunker.reset();
    expect(chunker.next(VECTOR_B, 0, VECTOR_B.length)).toBe(1158221);
  });

  it('rejects a range outside the buffer', () => {
    const chunker = new Chunker(P);
    expect(() => chunker.next(new Uint8Array(10), 0, 11)).toThrow(RangeError);
    expect(() => chunker.next(new Uint8Array(10), 5, 4)).toThrow(RangeError);
  });
});

describe('chunkStream', () => {
  const expectedIds = VECTOR_B_CHUNKS.map(([, , id]) => id);

  it('yields the vector B chunks from one big piece and from random pieces', async () => {
    expect((await collect(asyncPieces([VECTOR_B]), P)).map(idOf)).toEqual(expectedIds);
    const rand = prng(11);
    const offsets: number[] = [];
    for (let at = 0; at < VECTOR_B.length; offsets.push(at)) {
      at += rand() < 0.2 ? 1 + Math.floor(rand() * 1000) : 1 + Math.floor(rand() * 3 * MiB);
    }
    const chunks = await collect(asyncPieces(splitAt(VECTOR_B, offsets)), P);
    expect(chunks.map(idOf)).toEqual(expectedIds);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(MAX_CHUNK_SIZE);
  });

  it('copies bytes out, so a source may reuse its buffer', async () => {
    async function* reusing(): AsyncGenerator<Uint8Array> {
      const buffer = Buffer.alloc(300_000);
      for (let at = 0; at < VECTOR_B.length; at += buffer.length) {
        const n = Math.min(buffer.length, VECTOR_B.length - at);
        buffer.set(VECTOR_B.subarray(at, at + n));
        yield buffer.subarray(0, n);
        buffer.fill(0);
      }
    }
    const chunks = await collect(reusing(), P);
    expect(chunks.map(idOf)).toEqual(expectedIds);
    expect(chunks.every((c) => Object.getPrototypeOf(c) === Uint8Array.prototype)).toBe(true);
  });

  it('yields MAX-sized chunks and the tail of vector D', async () => {
    const piece = new Uint8Array(MiB).fill(0xff);
    const chunks = await collect(asyncPieces(Array.from({ length: 20 }, () => piece)), P);
    expect(chunks.map((c) => c.length)).toEqual([MAX_CHUNK_SIZE, MAX_CHUNK_SIZE, 4 * MiB]);
  });
});
