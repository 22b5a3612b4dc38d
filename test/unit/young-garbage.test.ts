/** collectYoungGarbage frees dead buffers at once, as the codec workers rely on. */
import { describe, expect, it } from 'vitest';
import { collectYoungGarbage } from '../../src/engine/support/young-garbage.ts';

describe('collectYoungGarbage', () => {
  it('frees a dead 32 MiB buffer that V8 alone would keep until more memory piles up', () => {
    collectYoungGarbage();
    const before = process.memoryUsage().arrayBuffers;
    (() => {
      const dead = Buffer.allocUnsafeSlow(32 * 1024 * 1024);
      dead.fill(1);
    })();
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    collectYoungGarbage();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });

});
