/** Deterministic test data: a fast xorshift stream, and dump-like text. */

/** xorshift32 bytes (the format doc's generator), reproducible from the seed. */
export function pseudoRandomBytes(length: number, seed = 0x12345678): Buffer {
  const out = Buffer.allocUnsafe(length + 3);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out.subarray(0, length);
}

/** Text shaped like a SQL dump: compressible, with enough variety to chunk normally. */
export function dumpLikeText(length: number, seed = 1): Buffer {
  const rows: string[] = [];
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  let size = 0;
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
  for (let id = 1; size < length; id++) {
    const row = `${id}\t${names[next() % names.length]}-${next() % 100000}\t${(next() % 1000000) / 100}\t2026-${String((next() % 12) + 1).padStart(2, '0')}-${String((next() % 28) + 1).padStart(2, '0')}\tstatus_${next() % 7}\n`;
    rows.push(row);
    size += row.length;
  }
  return Buffer.from(rows.join('')).subarray(0, length);
}
