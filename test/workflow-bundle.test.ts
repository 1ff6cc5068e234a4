// Needs no server, so it always runs: bundling the workflow code is what the worker does at start,
// and it fails on imports that are not allowed in Temporal's deterministic sandbox.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from '../temporal/worker/create-worker.ts';
import { loadWorkflowBundle } from '../temporal/worker/workflow-bundle.ts';

const quiet = new DefaultLogger('ERROR');

test('the production workflow code bundles, with both workflows and none of the I/O libraries', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS], logger: quiet });
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

describe('the kept workflow bundle (temporal/worker/workflow-bundle.ts)', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('is made once, listing every workflow source, the lockfile and the file of its options, and reused while they all match', async () => {
    const first = await loadWorkflowBundle({ tracing: false, encryption: false, logger: quiet, dir });
    expect(first).toMatchObject({ origin: 'bundled', reason: 'no bundle kept in .build/ yet' });
    const { files } = JSON.parse(await readFile(join(dir, 'workflow-bundle.json'), 'utf8')) as { files: Record<string, string> };
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'temporal/workflows/multi-server.ts',
        'temporal/workflows/interceptors.ts',
        'server-b/contract.ts',
        'package-lock.json',
        'temporal/worker/workflow-bundle.ts',
      ]),
    );
    expect(Object.keys(files).some((file) => file.includes('node_modules'))).toBe(false);

    const second = await loadWorkflowBundle({ tracing: false, encryption: false, logger: quiet, dir });
    expect(second.origin).toBe('kept');
    expect(second.code).toBe(first.code);
  });

  test('is made again when a source it was made from changed, naming the file', async () => {
    await loadWorkflowBundle({ tracing: false, encryption: false, logger: quiet, dir });
    const manifestFile = join(dir, 'workflow-bundle.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { files: Record<string, string> };
    manifest.files['temporal/workflows/multi-server.ts'] = 'the hash of an older version';
    await writeFile(manifestFile, JSON.stringify(manifest));
    const again = await loadWorkflowBundle({ tracing: false, encryption: false, logger: quiet, dir });
    expect(again).toMatchObject({ origin: 'bundled', reason: 'temporal/workflows/multi-server.ts changed' });
    expect((await loadWorkflowBundle({ tracing: false, encryption: false, logger: quiet, dir })).origin).toBe('kept');
  });
});
