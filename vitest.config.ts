import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Interop tests spawn restic and write large trees: files run in parallel, bounded
    // for the 2-core machines this runs on. Three, not two: each file spends much of its
    // time waiting for the processes and servers it starts (clean-clone CI: 838 s with
    // two, 751 s with three, same tests passing).
    maxWorkers: 3,
    pool: 'forks',
    // One run of both projects ends with one closing line that counts them all.
    reporters: ['default', './test/reporters/closing-line.ts'],
    projects: [
      {
        extends: true,
        test: {
          // No external process (no restic, rclone, Swift, PostgreSQL, no spawned CLI or action): seconds.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The real programs and servers; the servers test files can share start once per run.
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['./test/integration/global-setup.ts'],
        },
      },
    ],
  },
});
