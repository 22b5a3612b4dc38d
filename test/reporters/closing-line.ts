/**
 * Ends a test run with one plain line, "tests: N passed, N failed[, N skipped]", which any
 * CI log reader understands, whatever it knows of vitest's own summary.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedTests++;
        else skipped++;
      }
      failed += failedTests;
      // A file can fail outside its tests: while loading, or in a beforeAll that leaves its
      // tests skipped (a server that did not start). It failed, and counts once.
      if (module.state() === 'failed' && failedTests === 0) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
