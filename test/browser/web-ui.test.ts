// The run's page in the Temporal Web UI, as a person sees it: the real client starts a run and prints its
// link, headless Chromium opens that link, and the rendered page must show how the run ended: its status,
// its workflow type, its activities on the timeline and in the event history, and a failure's message.
// A screenshot of every page checked is saved in test/.artifacts/ (git-ignored), pass or fail.
// Without Chromium the suite is skipped and the run says why; with TEMPORAL_REQUIRED=1 (CI) it fails instead.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { closePage, findChromium, launchChromium, openPage, pageText, parseRunLink, runPage } from '../support/browser.ts';
import { killLeftovers, ROOT, runNode, type Finished } from '../support/processes.ts';
import { startServerA, startServerB } from '../support/services.ts';
import { CHROMIUM_TAG } from '../support/tag.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const chromiumTarget = findChromium();
const required = process.env.TEMPORAL_REQUIRED === '1';
const ARTIFACTS = `${ROOT}test/.artifacts`;

// Skipped for want of Chromium, the suite is counted as that (not as a missing Temporal server) by the summary reporter.
const title = `${chromiumTarget.available ? `${TEMPORAL_TAG} ` : ''}${CHROMIUM_TAG} the run's page in the Web UI, in headless Chromium`;

describe.skipIf(!temporal.available || (!chromiumTarget.available && !required))(title, { timeout: 120_000 }, () => {
  const suite = workflowSuite();
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!chromiumTarget.available) return;
    browser = await launchChromium(chromiumTarget.path);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  beforeEach(() => {
    // Here only with TEMPORAL_REQUIRED=1: each test fails, naming what is missing.
    if (!chromiumTarget.available) throw new Error(`TEMPORAL_REQUIRED=1, but the browser test cannot run: ${chromiumTarget.reason}`);
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(killLeftovers);

  /** Runs the real client (`node temporal/client.ts <data> multi`) against a worker and the real services. */
  async function runClient(data: string): Promise<Finished & { link: string; workflowId: string }> {
    const [a, b] = await Promise.all([suite.track(startServerA()), suite.track(startServerB())]);
    const taskQueue = uniqueTaskQueue('browser');
    const run = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, () =>
      runNode('temporal/client.ts', [data, 'multi'], { LOG_LEVEL: 'warn', ...temporalEnv(taskQueue) }),
    );
    const link = /^ {2}Web UI {7}(\S+)$/m.exec(run.stdout)?.[1] ?? '';
    const parts = parseRunLink(link);
    expect(parts, `the client printed no Web UI link to a run:\n${run.stdout}\n${run.stderr}`).toBeDefined();
    return { ...run, link, workflowId: parts!.workflowId };
  }

  /** Opens `url` and runs the checks; saves a screenshot either way, and on failure says what the page showed. */
  async function onPage(url: string, screenshot: string, checks: (page: Page) => Promise<void>): Promise<void> {
    const page = await openPage(browser!, url);
    try {
      await checks(page);
    } catch (error) {
      const shown = await pageText(page).catch((problem: unknown) => `(could not read the page: ${String(problem)})`);
      if (error instanceof Error) error.message += `\n\nThe page at ${url} showed (screenshot: test/.artifacts/${screenshot}):\n${shown.slice(0, 4_000)}`;
      throw error;
    } finally {
      await page.screenshot({ path: `${ARTIFACTS}/${screenshot}` }).catch(() => {});
      await closePage(page);
    }
  }

  test('a completed multi-server run: "Completed", its workflow type, and every activity on the timeline and in the history', async () => {
    const run = await runClient('Hello from the browser test');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await onPage(run.link, 'web-ui-completed.png', async (page) => {
      const view = runPage(page);
      expect(await view.status(run.workflowId)).toBe('Completed');
      expect(await view.workflowType()).toBe('multiServerWorkflow');
      await view.event('Workflow Execution Completed');
      // Each step once, the health check once per service, each labelled "<activity type> • <the summary the
      // interceptors give the call>"; the timeline also shows markers (a patch), left out here.
      const steps = ['validateData', 'checkHealth', 'checkHealth', 'processInternal', 'processExternal', 'enrichData'];
      const summaries = ['validate', 'health-check', 'health-check', 'process-internal', 'process-external', 'enrich'].map(
        (step, i) => `${steps[i]} • ${step} step, ${['server-a', 'server-a', 'server-b', 'server-a', 'server-b', 'server-b'][i]}`,
      );
      const labels = await view.timeline('enrichData • enrich step, server-b');
      expect(labels.filter((label) => summaries.includes(label)).sort()).toEqual([...summaries].sort());
      const activitiesOf = (names: string[]) => names.filter((name) => steps.includes(name)).sort();
      // In the event history: each scheduled once, named by its Activity Type, and as many completed.
      const scheduled = await (await view.event('Activity Task Scheduled')).allInnerTexts();
      expect(activitiesOf(scheduled.map((row) => steps.find((name) => row.includes(name)) ?? row))).toEqual([...steps].sort());
      expect(await (await view.event('Activity Task Completed')).count()).toBe(steps.length);
    });
  });

  test('a run that fails validation: "Failed", and the failure with its type and message', async () => {
    const run = await runClient('<script>');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const message = 'Input rejected by server-a /validate: data contains characters that are not allowed: "<", ">"';
    await onPage(run.link, 'web-ui-failed.png', async (page) => {
      const view = runPage(page);
      expect(await view.status(run.workflowId)).toBe('Failed');
      expect(await view.workflowType()).toBe('multiServerWorkflow');
      expect(await (await view.event('Workflow Execution Failed')).innerText()).toContain(message);
      expect((await view.timeline('validateData • validate step, server-a')).join('\n')).not.toContain('processInternal');
      const failure = await view.inputAndResult();
      expect(failure).toContain('"type": "ValidationFailed"');
      expect(failure).toContain('"nonRetryable": true');
    });
  });
});
