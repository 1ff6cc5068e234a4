// The console in headless Chromium against the real stack (a Temporal server, a worker, both services, the
// API): an operator starts a reviewed publish run and watches its steps arrive up to the review; a reviewer
// sees it appear in Reviews without a reload, approves it, sees the run complete under their name, and a
// second decision refused with the workflow's reason; a viewer reads but has no controls; hostile data stays
// text; a change sent from a page of another origin is refused. Screenshots go to test/.artifacts/.
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { StatusResponse } from '../../shared/contract.ts';
import type { RunningService } from '../../shared/service/serve.ts';
import type { RunDescription, StartedRun } from '../../temporal/runs/contract.ts';
import { type Caller, connectedLink, type RunningApi, startApi, tokenOf } from '../support/api.ts';
import { closePage, findChromium, launchChromium, pageText, UI_TIMEOUT_MS, VIEWPORT } from '../support/browser.ts';
import { killLeftovers, ROOT } from '../support/processes.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { CHROMIUM_TAG } from '../support/tag.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const chromiumTarget = findChromium();
const required = process.env.TEMPORAL_REQUIRED === '1';
const ARTIFACTS = `${ROOT}test/.artifacts`;
const HOSTILE = '<img src=x onerror=alert(1)>';

const title = `${chromiumTarget.available ? `${TEMPORAL_TAG} ` : ''}${CHROMIUM_TAG} the console, in headless Chromium`;

describe.skipIf(!temporal.available || (!chromiumTarget.available && !required))(title, { timeout: 180_000 }, () => {
  const suite = workflowSuite();
  let browser: Browser | undefined;
  let api: RunningApi;
  let stopWorker: () => void;
  let worker: Promise<unknown>;
  let services: RunningService[] = [];
  const pages: Page[] = [];
  /** Dialogs any page opened (an alert would mean data ran as code). */
  const dialogs: string[] = [];
  /** Holds the first publish's confirmation on Server B, so its run is still open for a second decision. */
  const confirm = gate(/^\/publications\/[^/]+\/confirm$/);

  beforeAll(async () => {
    if (!chromiumTarget.available) return;
    browser = await launchChromium(chromiumTarget.path);
    mkdirSync(ARTIFACTS, { recursive: true });
    const [a, b] = await Promise.all([startServerA(), startServerB({ before: confirm.middleware })]);
    services = [a, b];
    const taskQueue = uniqueTaskQueue('console');
    api = await startApi({ temporal: connectedLink(suite.client), taskQueue });
    // One worker for the whole file, until afterAll releases it.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    stopWorker = release;
    worker = suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, () => released);
  });
  beforeEach(() => {
    if (!chromiumTarget.available) throw new Error(`TEMPORAL_REQUIRED=1, but the browser test cannot run: ${chromiumTarget.reason}`);
  });
  afterEach(async () => {
    killLeftovers();
    for (const page of pages.splice(0)) await closePage(page);
  });
  afterAll(async () => {
    confirm.release();
    stopWorker?.();
    await worker;
    await api?.close();
    await Promise.all(services.map((service) => service.close(0)));
    await browser?.close();
  });

  /** A fresh browser context, signed in through the sign-in page as `who`. */
  async function signIn(who: Caller, screenshot?: string): Promise<Page> {
    const context = await browser!.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    pages.push(page);
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${api.url}/console/runs`);
    await page.waitForURL(/\/console\/sign-in\?next=/);
    await page.fill('#token', tokenOf(who));
    if (screenshot) await page.screenshot({ path: `${ARTIFACTS}/${screenshot}` });
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console\/runs$/);
    await page.locator('.who').filter({ hasText: who }).waitFor();
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: `${ARTIFACTS}/${name}`, fullPage: true });
  }

  async function described(key: string): Promise<RunDescription> {
    return (await api.call<RunDescription>('GET', `/workflows/${key}`)).body;
  }

  test('an operator starts a reviewed publish run; a reviewer sees it appear, approves it, and a second decision is refused', async () => {
    const reviewer = await signIn('bob', 'console-sign-in.png');
    await reviewer.click('a[href="/console/reviews"]');
    await reviewer.locator('#reviews').waitFor({ state: 'attached' });
    await expect.poll(() => reviewer.locator('li.review').count()).toBe(0);

    const operator = await signIn('olga');
    await operator.click('a[href="/console/start"]');
    await operator.selectOption('#kind', 'publish');
    const key = `console-${Date.now().toString(36)}`;
    await operator.fill('#key', key);
    await operator.fill('#data', 'Quarterly numbers for the board');
    await operator.check('#review');
    await operator.fill('#reviewDeadline', '10m');
    await shot(operator, 'console-start.png');
    await operator.click('#start button[type=submit]');
    await operator.waitForURL(new RegExp(`/console/runs/${key}$`));
    // The steps arrive over the event stream, up to the review, with no reload.
    await operator.locator('tr[data-step="review"][data-status="running"]').waitFor();
    for (const step of ['reserve-record', 'submit-publication']) {
      expect(await operator.locator(`tr[data-step="${step}"]`).getAttribute('data-status')).toBe('completed');
    }
    expect(await operator.locator('#review-state').innerText()).toContain('pending');
    await shot(operator, 'console-run-review.png');

    // The reviewer's list gains the run by itself.
    const row = reviewer.locator(`li.review[data-key="${key}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/escalates in \d+m \d\ds, expires in \d+m \d\ds/);
    await row.locator('input[name=comment]').fill('numbers checked');
    await shot(reviewer, 'console-reviews.png');
    await row.locator('button.approve').click();
    await expect.poll(() => row.locator('.said').innerText()).toBe('approved by bob.');
    await confirm.arrived;
    await row.locator('button.reject').click();
    await expect.poll(() => row.locator('.said').innerText()).toMatch(/^Refused by the run: /);
    expect(await row.locator('.said').innerText()).toBe("Refused by the run: This run's review is already over (approved by bob)");
    confirm.release();

    // The operator's page shows the outcome when the run completes, with the reviewer's name in the result.
    await operator.locator('#status').filter({ hasText: 'COMPLETED' }).waitFor();
    const outcome = await operator.locator('#outcome').innerText();
    expect(outcome).toContain('"reviewer": "bob"');
    expect(await operator.locator('#review-state').innerText()).toContain('Approved by bob');
    expect((await described(key)).review?.decision).toMatchObject({ decision: 'approve', reviewer: 'bob', comment: 'numbers checked' });
    await shot(operator, 'console-run-completed.png');
  });

  test('a viewer sees runs but no start, review or cancel controls, and the API refuses those actions with 403', async () => {
    const key = `console-view-${Date.now().toString(36)}`;
    const started = await api.call<StartedRun>(
      'POST',
      `/workflows/publish/${key}`,
      { data: 'Figures for the viewer', review: true, reviewDeadline: '10m' },
      'olga',
    );
    expect(started.status).toBe(201);
    const viewer = await signIn('vic');
    expect(await viewer.locator('nav a').allInnerTexts()).toEqual(['Runs']);
    await viewer.locator(`a[href="/console/runs/${key}"]`).waitFor();
    await shot(viewer, 'console-runs.png');
    await viewer.click(`a[href="/console/runs/${key}"]`);
    await viewer.locator('tr[data-step="review"][data-status="running"]').waitFor();
    expect(await viewer.locator('#cancel').count()).toBe(0);
    await viewer.goto(`${api.url}/console/reviews`);
    expect(await viewer.locator('main').innerText()).toContain('vic may not decide reviews');
    expect(await viewer.locator('button.approve').count()).toBe(0);
    // The same actions, called directly with the viewer's token.
    expect((await api.call('POST', `/workflows/${key}/approve`, {}, 'vic')).status).toBe(403);
    expect((await api.call('POST', `/workflows/${key}/cancel`, undefined, 'vic')).status).toBe(403);
    expect((await api.call('POST', `/workflows/multi/${key}-2`, { data: 'x' }, 'vic')).status).toBe(403);
    expect((await api.call('POST', `/workflows/${key}/cancel`, undefined, 'olga')).status).toBe(202);
  });

  test('a run whose data is markup shows it as text and runs nothing; a refused start is shown next to its field', async () => {
    const operator = await signIn('olga');
    await operator.click('a[href="/console/start"]');
    await operator.selectOption('#kind', 'multi');
    await operator.fill('#data', 'Fine data');
    await operator.fill('#outageLimit', 'forever');
    await operator.click('#start button[type=submit]');
    await expect.poll(() => operator.locator('#error-outageLimit').innerText()).toMatch(/outageLimit/);
    await shot(operator, 'console-start-refused.png');

    const key = `console-hostile-${Date.now().toString(36)}`;
    expect((await api.call('POST', `/workflows/multi/${key}`, { data: HOSTILE }, 'olga')).status).toBe(201);
    await operator.goto(`${api.url}/console/runs/${key}`);
    await operator.locator('#status').filter({ hasText: 'FAILED' }).waitFor();
    expect(await operator.locator('#summary').innerText()).toContain(HOSTILE);
    expect(await operator.locator('main img').count()).toBe(0);
    await operator.goto(`${api.url}/console/runs`);
    await operator.locator(`a[href="/console/runs/${key}"]`).waitFor();
    expect(await operator.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  test('a change sent with the cookie from a page of another origin is refused, and the console without a session sends one to sign in', async () => {
    const key = `console-csrf-${Date.now().toString(36)}`;
    expect((await api.call('POST', `/workflows/publish/${key}`, { data: 'Held for review', review: true, reviewDeadline: '10m' }, 'olga')).status).toBe(201);
    const operator = await signIn('ada');
    // Another origin on the same machine (same site, so the browser sends the SameSite=Strict cookie along).
    const elsewhere: Server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const before = await cancelAnswers();
      await operator.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
      await operator.evaluate(async (url) => {
        await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' }).catch(() => undefined);
      }, `${api.url}/workflows/${key}/cancel`);
      await expect.poll(async () => (await cancelAnswers()).errors, { timeout: UI_TIMEOUT_MS }).toBe(before.errors + 1);
      expect(await cancelAnswers()).toEqual({ requests: before.requests + 1, errors: before.errors + 1 });
      expect((await described(key)).status).toBe('RUNNING');
    } finally {
      elsewhere.close();
    }
    // Signed out, the console asks for a token again.
    await operator.goto(`${api.url}/console/runs`);
    await operator.click('header button.link');
    await operator.waitForURL(/\/console\/sign-in$/);
    await operator.goto(`${api.url}/console/reviews`);
    await operator.waitForURL(/\/console\/sign-in\?next=%2Fconsole%2Freviews$/);
    expect(await pageText(operator)).toContain('Sign in');
    await api.call('POST', `/workflows/${key}/cancel`, undefined, 'olga');
  });

  /** How often POST /workflows/{key}/cancel was asked, and refused, by the API's own count. */
  async function cancelAnswers(): Promise<{ requests: number; errors: number }> {
    const status = await api.call<StatusResponse>('GET', '/status');
    const stats = status.body.endpoints['POST /workflows/:key/cancel'];
    return { requests: stats?.requests ?? 0, errors: stats?.errors ?? 0 };
  }
});
