import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes, not worker threads: the Temporal SDK's native module is unsafe in threads.
    pool: 'forks',
    // Finds (or starts) one Temporal server for the whole run; see test/support/global-setup.ts.
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
