// Needs no server: replays every history recorded in test/histories/ (npm run record:histories)
// against the current workflow code, as a worker does when it picks up a run that is already in
// flight. A change that such runs could not survive (a step added, removed or moved without
// patched()) fails here with a DeterminismViolationError instead of failing workflow tasks in production.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type protos from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, type ReplayResult, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, expect, test } from 'vitest';
import { WORKFLOWS_PATH } from '../temporal/worker/create-worker.ts';

type History = protos.temporal.api.history.v1.IHistory;

const HISTORIES = fileURLToPath(new URL('./histories/', import.meta.url));
/** The paths scripts/record-histories.ts records; older recordings kept beside them are replayed too. */
const RECORDED = [
  'multi-completed',
  'simple-completed',
  'validation-failed',
  'invalid-input',
  'server-b-outage-retried',
  'third-party-429',
  'service-unavailable',
  'cancelled',
  'publish-published',
  'publish-rejected',
  'publish-compensated',
  'publish-pivot',
];
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();
const quiet = new DefaultLogger('ERROR');
// Each replay starts and stops a worker, and the changed code fails a workflow task on purpose: errors only.
Runtime.install({ logger: quiet, telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });

function loadHistory(file: string): History {
  return historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
}

/** The run id the recorded run had: the replayer reports it back only if it really replayed that history. */
function runIdOf(history: History): string {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '';
}

async function replay(workflowBundle: { code: string }, files: string[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const histories = files.map((file) => ({ workflowId: file, history: loadHistory(file) }));
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) results.push(result);
  return results;
}

let production: { code: string };
beforeAll(async () => {
  production = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
});

test('test/histories/ holds a recording of every workflow path', () => {
  expect(files).toEqual(expect.arrayContaining(RECORDED.map((name) => `${name}.json`)));
});

test.each(files)('%s replays against the current workflow code', async (file) => {
  const results = await replay(production, [file]);
  expect(results).toEqual([{ workflowId: file, runId: runIdOf(loadHistory(file)), error: undefined }]);
});

// The shape of an unguarded change: one more activity before the first step; every other line is the real code.
const CHANGED_WORKFLOWS = `
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../temporal/activities/index.ts';
import { activityOptions } from '../../temporal/workflows/activity-options.ts';
import { multiServerWorkflow as current } from '../../temporal/workflows/multi-server.ts';
import type { MultiServerInput } from '../../temporal/workflows/types.ts';
export { simpleWorkflow } from '../../temporal/workflows/simple.ts';

export async function multiServerWorkflow(input: MultiServerInput) {
  await proxyActivities<Activities>(activityOptions(60_000).health).checkHealth('server-b');
  return current(input);
}
`;

test('workflow code with an extra step before validate fails to replay multi-completed (the check is real)', async () => {
  // Inside the repo, so the bundler resolves @temporalio/workflow from its node_modules.
  const dir = await mkdtemp(fileURLToPath(new URL('./.bundle-check-', import.meta.url)));
  try {
    await writeFile(join(dir, 'index.ts'), CHANGED_WORKFLOWS);
    const changed = await bundleWorkflowCode({ workflowsPath: join(dir, 'index.ts'), logger: quiet });
    const [multi, simple] = await replay(changed, ['multi-completed.json', 'simple-completed.json']);
    expect(multi?.error).toBeInstanceOf(DeterminismViolationError);
    expect(multi?.error?.message).toMatch(/checkHealth.*validateData|validateData.*checkHealth/);
    // The unchanged workflow in the same bundle still replays: the failure is the change, not the bundle.
    expect(simple).toEqual({ workflowId: 'simple-completed.json', runId: expect.any(String), error: undefined });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
