// Headless Chromium for looking at the Temporal Web UI as a person does: Debian's `chromium` (or the
// binary CHROMIUM_PATH names), driven by playwright-core. Playwright's own browser download is not
// used; CI installs the distribution's package (.ci/run). The Web UI is a single-page app: everything
// here waits for elements of the rendered page, never for a fixed time. Used by test/browser/ and
// scripts/screenshot-web-ui.ts.
import { accessSync, constants } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export type ChromiumTarget = { available: true; path: string } | { available: false; path: string; reason: string };

/** The Chromium to drive: CHROMIUM_PATH, else Debian's; unavailable (with why) when that is not an executable file. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumTarget {
  const configured = env.CHROMIUM_PATH?.trim();
  const path = configured || DEFAULT_CHROMIUM_PATH;
  try {
    accessSync(path, constants.X_OK);
    return { available: true, path };
  } catch {
    const reason =
      `no Chromium at ${path}${configured ? ' (CHROMIUM_PATH)' : ''}: install ` +
      "Debian's chromium (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH to a Chromium or Chrome binary";
    return { available: false, path, reason };
  }
}

export function launchChromium(path: string): Promise<Browser> {
  // No sandbox: CI runs as root, where Chromium's sandbox refuses to start. No background networking:
  // the browser has no business beyond the local Web UI.
  return chromium.launch({ executablePath: path, args: ['--no-sandbox', '--disable-background-networking'] });
}

/** Room for the run's header, its input and result, and the top of its event history. */
export const VIEWPORT = { width: 1400, height: 1000 };

/** How long the Web UI may take to show what a check waits for (a first load on a busy 2-core machine is slow). */
export const UI_TIMEOUT_MS = 30_000;

/** Opens a page in a fresh browser context (nothing carried over from other pages); close it with closePage. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(url, { timeout: UI_TIMEOUT_MS });
  return page;
}

export async function closePage(page: Page): Promise<void> {
  await page.context().close();
}

/** What a person reads on the page, for failure messages. */
export async function pageText(page: Page): Promise<string> {
  return page.locator('body').innerText({ timeout: 5_000 });
}

/** The parts of a run's link in the Web UI: …/namespaces/<ns>/workflows/<workflow id>/<run id>/history. */
export function parseRunLink(url: string): { namespace: string; workflowId: string; runId: string } | undefined {
  const match = /\/namespaces\/([^/]+)\/workflows\/([^/]+)\/([^/]+)\/history\b/.exec(url);
  if (!match) return undefined;
  const [, namespace, workflowId, runId] = match.map((part) => decodeURIComponent(part));
  return { namespace: namespace!, workflowId: workflowId!, runId: runId! };
}

/** The labels the Web UI gives a run's status (its i18n strings). */
const STATUS_LABEL = /^\s*(Running|Completed|Failed|Canceled|Terminated|Timed Out|Continued as New|Paused)\s*$/;

/** The page of one run, read through what it renders. */
export function runPage(page: Page) {
  const header = page.locator('header').filter({ has: page.getByTestId('workflow-id-heading') });
  const events = page.getByTestId('event-summary-row');
  return {
    /** Waits until the header names the run, then reads its status badge ("Completed", "Failed", …). */
    async status(workflowId: string): Promise<string> {
      await header.getByTestId('workflow-id-heading').getByText(workflowId, { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
      return (await header.getByText(STATUS_LABEL).innerText({ timeout: UI_TIMEOUT_MS })).trim();
    },
    /** The "Workflow Type" of the run's summary (a link to the runs of that type). */
    async workflowType(): Promise<string> {
      const type = page.locator('dd', { hasText: /^Workflow Type$/ }).locator('xpath=following-sibling::dt[1]//a');
      return (await type.innerText({ timeout: UI_TIMEOUT_MS })).trim();
    },
    /** The event history's rows of one event type (e.g. "Activity Task Scheduled"), once the first is rendered. */
    async event(type: string): Promise<Locator> {
      const row = events.filter({ has: page.getByText(type, { exact: true }) });
      await row.first().waitFor({ timeout: UI_TIMEOUT_MS });
      return row;
    },
    /** The labels of the history's timeline (activities, markers), once `last` (else any label) is among them. */
    async timeline(last?: string): Promise<string[]> {
      const labels = page.locator('#event-history-timeline-graph svg text');
      const awaited = last === undefined ? labels : labels.filter({ hasText: new RegExp(`^${last}$`) });
      await awaited.first().waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
      return (await labels.allTextContents()).map((label) => label.trim());
    },
    /** The Input and Result panel (a failed run's Result is its failure). */
    async inputAndResult(): Promise<string> {
      return page.getByTestId('input-and-result').innerText({ timeout: UI_TIMEOUT_MS });
    },
  };
}
