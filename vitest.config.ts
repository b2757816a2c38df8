import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter.ts';

// Three projects selected by file suffix (house style): unit tests are pure and fast; int tests use
// real LMDB and worker threads; e2e tests run the whole server with real clients.
export default defineConfig({
  test: {
    reporters: ['default', new SummaryReporter()],
    projects: [
      { test: { name: 'unit', include: ['test/**/*.unit.test.ts'] } },
      { test: { name: 'int', include: ['test/**/*.int.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'e2e', include: ['test/**/*.e2e.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false } },
    ],
  },
});
