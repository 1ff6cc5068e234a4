// Ends every run with two things the default reporter does not say plainly: how many tests that
// need a Temporal server or Chromium were skipped (and how to run them), and a one-line tally. With
// TEMPORAL_REQUIRED=1 (CI) any skipped test fails the run.
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { findChromium } from './browser.ts';
import { CHROMIUM_TAG, TEMPORAL_TAG } from './tag.ts';

export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let temporalSkipped = 0;
    let chromiumSkipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'skipped') {
          skipped++;
          if (test.fullName.includes(TEMPORAL_TAG)) temporalSkipped++;
          if (test.fullName.includes(CHROMIUM_TAG)) chromiumSkipped++;
        }
      }
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    // Skipped with a server at hand means filtered out (-t, .only): no hint to give then.
    const target = this.vitest?.getRootProject().getProvidedContext().temporal;
    if (temporalSkipped > 0 && !target?.available) {
      out('');
      out(`SKIPPED ${temporalSkipped} tests that need a Temporal server: ${target?.reason ?? 'no Temporal server'}`);
      out('  To run them: install Go or the Temporal CLI (npm run temporal:install says what it finds), or set');
      out('  TEMPORAL_ADDRESS to a running server (e.g. "npm run temporal:dev", then TEMPORAL_ADDRESS=localhost:7233 npm test).');
    }
    const chromium = findChromium();
    if (chromiumSkipped > 0 && !chromium.available) {
      out('');
      out(`SKIPPED ${chromiumSkipped} tests that need Chromium: ${chromium.reason}.`);
    }
    if (process.env.TEMPORAL_REQUIRED === '1' && skipped > 0) {
      // CI promises every test ran; a skip there is a failure of the run, however it came about.
      out('');
      out(`TEMPORAL_REQUIRED=1, but ${skipped} tests were skipped: failing the run.`);
      process.exitCode = 1;
    }
    out('');
    out(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
