import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes, not worker threads: the Temporal SDK's native module is unsafe in threads.
    pool: 'forks',
    // Most workflow tests wait on the server (retries, outages), not on the CPU: three files at a
    // time keep a 2-core machine busy without starving the dev server.
    maxWorkers: 3,
    // Finds (or starts) one Temporal server for the whole run; see test/support/global-setup.ts.
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start many workers at once, which cannot all serve metrics on the default port 9464: none does
    // unless its test asks (test/metrics.test.ts), and a .env cannot turn it back on (the environment wins).
    env: { WORKER_METRICS_PORT: 'off' },
  },
});
