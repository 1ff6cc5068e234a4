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
import { WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from '../temporal/worker/create-worker.ts';

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
  'publish-review-approved',
  'publish-review-expired',
  'publish-review-cancelled',
  'batch-continued-as-new',
  'batch-completed',
  'batch-invalid-input',
  'batch-cancelled',
];
const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
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

/**
 * The workflow id the recorded run had (the server writes it into the start event): the replay must run
 * under it, because a workflow may derive commands from its own id (batch.ts names its children by it).
 */
function workflowIdOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? undefined;
}

/** Replays each file under its recorded workflow id; each result names its file. */
async function replay(workflowBundle: { code: string }, files: string[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const histories = files.map((file) => {
    const history = loadHistory(file);
    return { workflowId: workflowIdOf(history) ?? file, history };
  });
  // The replayer yields one result per history, in order.
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) results.push({ ...result, workflowId: files[results.length]! });
  return results;
}

let production: { code: string };
beforeAll(async () => {
  production = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS], logger: quiet });
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
import type { HealthActivities } from '../../temporal/activities/types.ts';
import { HEALTH_CHECK } from '../../temporal/workflows/activity-options.ts';
import { multiServerWorkflow as current, type MultiServerInput } from '../../temporal/workflows/multi-server.ts';
export { simpleWorkflow } from '../../temporal/workflows/simple.ts';

export async function multiServerWorkflow(input: MultiServerInput) {
  await proxyActivities<HealthActivities>(HEALTH_CHECK).checkHealth('server-b');
  return current(input);
}
`;

/** Bundles `source` as a workflows file (inside the repo, so the bundler resolves @temporalio/workflow). */
async function bundled(source: string): Promise<{ code: string }> {
  const dir = await mkdtemp(fileURLToPath(new URL('./.bundle-check-', import.meta.url)));
  try {
    await writeFile(join(dir, 'index.ts'), source);
    return await bundleWorkflowCode({ workflowsPath: join(dir, 'index.ts'), workflowInterceptorModules: [WORKFLOW_INTERCEPTORS], logger: quiet });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('workflow code with an extra step before validate fails to replay multi-completed (the check is real)', async () => {
  const changed = await bundled(CHANGED_WORKFLOWS);
  // Recordings from before the search-attribute patch: the first difference is the extra activity.
  const [multi, simple] = await replay(changed, ['v1-multi-completed.json', 'v1-simple-completed.json']);
  expect(multi?.error).toBeInstanceOf(DeterminismViolationError);
  expect(multi?.error?.message).toMatch(/checkHealth.*validateData|validateData.*checkHealth/);
  // The unchanged workflow in the same bundle still replays: the failure is the change, not the bundle.
  expect(simple).toEqual({ workflowId: 'v1-simple-completed.json', runId: expect.any(String), error: undefined });
});

// The change patches.ts guards (search attributes upserted as a run moves), made without its guard.
const UNGUARDED_WORKFLOWS = `
import { upsertSearchAttributes } from '@temporalio/workflow';
import { multiServerWorkflow as current } from '../../temporal/workflows/multi-server.ts';
import { CURRENT_STEP } from '../../temporal/workflows/search-attributes.ts';
import type { MultiServerInput } from '../../temporal/workflows/multi-server.ts';

export async function multiServerWorkflow(input: MultiServerInput) {
  upsertSearchAttributes([{ key: CURRENT_STEP, value: 'validate' }]);
  return current(input);
}
`;

test('without its patched() guard, the search-attribute change breaks runs recorded before it (v1-*); with it, they replay', async () => {
  const [old] = await replay(await bundled(UNGUARDED_WORKFLOWS), ['v1-multi-completed.json']);
  expect(old?.error).toBeInstanceOf(DeterminismViolationError);
  // The guarded production code replays the same history, and records the new path beside it.
  expect((await replay(production, ['v1-multi-completed.json', 'multi-completed.json'])).map((r) => r.error)).toEqual([undefined, undefined]);
});
