import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compressBlob } from '../../src/engine/blob-codec/codec-core.ts';
import { decompressExactSync } from '../../src/engine/compress/zstd.ts';

const MiB = 1024 * 1024;
const data = { level: 1, rawIfLarger: true };

/** Lines of a SQL-like dump: compressible as real dumps are, not a run of one byte. */
function sqlLike(bytes: number): Uint8Array {
  const rows: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const row = `INSERT INTO accounts VALUES (${i}, 'customer ${i % 977}', ${(i * 7919) % 100000}, '2026-12-0${i % 9}');\n`;
    rows.push(row);
    n += row.length;
  }
  return new TextEncoder().encode(rows.join('')).subarray(0, bytes);
}

describe('compressBlob', () => {
  it('stores an incompressible data blob raw, as the same bytes', () => {
    const random = new Uint8Array(randomBytes(MiB));
    const { stored, compressed } = compressBlob(random, data);
    expect(compressed).toBe(false);
    expect(stored).toBe(random);
  });

  it('compresses a compressible data blob, and the frame expands to the plaintext', () => {
    const plain = sqlLike(MiB);
    const { stored, compressed } = compressBlob(plain, data);
    expect(compressed).toBe(true);
    expect(stored.byteLength).toBeLessThan(plain.byteLength / 2);
    expect(Buffer.from(decompressExactSync(stored, plain.byteLength)).equals(Buffer.from(plain))).toBe(true);
  });

  it('compresses a blob whose head is incompressible when its middle compresses (the second probe)', () => {
    const plain = sqlLike(MiB);
    plain.set(randomBytes(64 * 1024), 0);
    const { stored, compressed } = compressBlob(plain, data);
    expect(compressed).toBe(true);
    expect(stored.byteLength).toBeLessThan(plain.byteLength / 2);
  });

  it('tries the whole blob below the probing size, and keeps it raw when zstd does not shrink it', () => {
    const small = new Uint8Array(randomBytes(100 * 1024));
    expect(compressBlob(small, data)).toEqual({ stored: small, compressed: false });
    expect(compressBlob(sqlLike(100 * 1024), data).compressed).toBe(true);
  });

  it('compresses tree blobs whatever they hold (rawIfLarger off): restic reads both', () => {
    const random = new Uint8Array(randomBytes(MiB));
    expect(compressBlob(random, { level: 1, rawIfLarger: false }).compressed).toBe(true);
  });
});
