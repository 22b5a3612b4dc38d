import { describe, expect, it } from 'vitest';
import * as zlib from 'node:zlib';

describe('runtime', () => {
  it('runs on Node 24 or newer, whose zlib has zstd', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
    expect(typeof zlib.zstdCompressSync).toBe('function');
  });
});
