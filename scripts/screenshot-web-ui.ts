// npx node scripts/screenshot-web-ui.ts <Web UI link to a run> <file.png>: the run's page in the Web UI as headless
// Chromium renders it (docs/running.md); it starts nothing. Chromium as for the browser test (CHROMIUM_PATH).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { closePage, findChromium, launchChromium, openPage, parseRunLink, runPage, VIEWPORT } from '../test/support/browser.ts';

const [link, file, ...extra] = process.argv.slice(2);
const run = link ? parseRunLink(link) : undefined;
if (!link || !file || extra.length > 0 || !run) {
  console.error('Usage: npx node scripts/screenshot-web-ui.ts <Web UI link to a run, …/namespaces/<ns>/workflows/<id>/<run id>/history> <file.png>');
  process.exit(2);
}
const chromium = findChromium();
if (!chromium.available) {
  console.error(`Cannot take the screenshot: ${chromium.reason}.`);
  process.exit(1);
}

const browser = await launchChromium(chromium.path);
try {
  const page = await openPage(browser, link);
  const view = runPage(page);
  // What the picture is for: the run's status, and its history loaded (the first event and the timeline).
  const status = await view.status(run.workflowId);
  await view.event('Workflow Execution Started');
  await view.timeline();
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  await closePage(page);
  console.log(`Saved ${file} (${VIEWPORT.width}×${VIEWPORT.height}): ${run.workflowId}, ${status}.`);
} finally {
  await browser.close();
}
