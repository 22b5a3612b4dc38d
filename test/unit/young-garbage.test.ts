/** collectYoungGarbage frees dead buffers at once, as the codec workers rely on. */
import { describe, expect, it } from 'vitest';
import { collectYoungGarbage } from '../../src/engine/support/young-garbage.ts';

describe('collectYoungGarbage', () => {
  // Retried: in the busy test process a collection V8 starts on its own between the
  // allocation and ours can promote the buffer to the old generation, out of a minor
  // collection's reach. A collectYoungGarbage that frees nothing fails every attempt.
  it('frees a dead 32 MiB buffer that V8 alone would keep until more memory piles up', { retry: 2 }, () => {
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
