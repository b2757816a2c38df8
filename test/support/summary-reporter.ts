import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `Tests: N passed, M failed, K skipped`, after vitest's own
 * summary: CI reads a line of exactly that shape to know how many tests ran (vitest's colourful
 * summary is not one it recognises).
 */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const notRun: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else notRun.push(`${module.moduleId} > ${test.fullName} (${state})`);
      }
    }
    // Name what did not run: nothing here is skipped on purpose, so it deserves a look.
    for (const name of notRun) process.stdout.write(`not run: ${name}\n`);
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${notRun.length} skipped\n`);
  }
}
