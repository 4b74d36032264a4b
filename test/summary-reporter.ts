/**
 * Ends the run with one plain line, `vitest: N passed, N failed, N skipped`, which CI reads
 * whatever the test runner (the default reporter's summary carries colour codes).
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const test of m.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    // After everything the default reporter prints, so it is the closing line.
    process.once('exit', () => process.stdout.write(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`));
  }
}
