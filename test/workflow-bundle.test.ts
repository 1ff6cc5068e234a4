// Needs no server, so it always runs: bundling the workflow code is what the worker does at start,
// and it fails on imports that are not allowed in Temporal's deterministic sandbox.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { WORKFLOWS_PATH } from '../temporal/worker/create-worker.ts';

const quiet = new DefaultLogger('ERROR');

test('the production workflow code bundles, with both workflows and none of the I/O libraries', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  expect(code).toContain('multiServerWorkflow');
  expect(code).toContain('simpleWorkflow');
  // Activities and services are imported as types only; their runtime code must stay out.
  for (const library of ['axios', 'express', 'pino', 'nanoid']) expect(code).not.toMatch(new RegExp(`node_modules/${library}/`));
});

test('the bundler rejects workflow code that imports a Node module (the check is real)', async () => {
  // Inside the repo, so the bundler resolves @temporalio/workflow from its node_modules.
  const dir = await mkdtemp(fileURLToPath(new URL('./.bundle-check-', import.meta.url)));
  try {
    const path = join(dir, 'bad-workflow.ts');
    await writeFile(
      path,
      "import { readFileSync } from 'node:fs';\nexport async function bad(): Promise<string> { return readFileSync('/etc/hostname', 'utf8'); }\n",
    );
    const logged: string[] = [];
    const logger = new DefaultLogger('WARN', (entry) => logged.push(entry.message));
    await expect(bundleWorkflowCode({ workflowsPath: path, logger })).rejects.toThrow('Webpack finished with errors');
    expect(logged.join('\n')).toContain('ERROR in node:fs');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
