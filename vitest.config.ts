import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Interop tests spawn restic and write large trees: keep files in parallel
    // but bounded by the 2-core machines this runs on.
    maxWorkers: 2,
    pool: 'forks',
    reporters: ['default', './test/reporters/closing-line.ts'],
  },
});
