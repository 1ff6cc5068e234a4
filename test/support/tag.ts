/** Put in the name of every suite that needs a Temporal server, so the run can count what it skipped. */
export const TEMPORAL_TAG = '[needs Temporal]';

/** Put in the name of every suite that needs Chromium (test/support/browser.ts), for the same reason. */
export const CHROMIUM_TAG = '[needs Chromium]';
