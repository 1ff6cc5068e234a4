// Needs no server: replays every history recorded in test/histories/ (npm run record:histories)
// against the current workflow code, as a worker does when it picks up a run that is already in
// flight. A change that such runs could not survive (a step added, removed or moved without
// patched()) fails here with a DeterminismViolationError instead of failing workflow tasks in production.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, type ReplayResult, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, test } from 'vitest';
import { WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from '../temporal/worker/create-worker.ts';
import { PATCHED_WORKFLOWS, PATCHES } from '../temporal/workflows/patches.ts';
import { ADAPTIVE_PLANS } from './support/adaptive-plans.ts';
import { GENERATIONS, HISTORY_FILES, loadHistory, manifestOf, patchMarkers, replayInputs, runIdOf, workflowTypeOf } from './support/histories.ts';

/** The paths scripts/record-histories.ts records: the recordings of today's code hold each of them. */
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
  ...ADAPTIVE_PLANS.map((plan) => plan.name),
];
const quiet = new DefaultLogger('ERROR');
// Each replay starts and stops a worker, and the changed code fails a workflow task on purpose: errors only.
Runtime.install({ logger: quiet, telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });

/** Replays each file under its recorded workflow id; each result names its file. */
async function replay(workflowBundle: { code: string }, files: string[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  // The replayer yields one result per history, in order.
  for await (const result of Worker.runReplayHistories({ workflowBundle }, replayInputs(files)))
    results.push({ ...result, workflowId: files[results.length]! });
  return results;
}

let production: { code: string };
beforeAll(async () => {
  production = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS], logger: quiet });
});

describe('the corpus', () => {
  /** The recordings made by code that knows every patch of today: between them, every path of today's code. */
  const current = GENERATIONS.filter((folder) => Object.values(PATCHES).every((id) => manifestOf(folder).patches.includes(id)));
  const currentFiles = HISTORY_FILES.filter((file) => current.includes(file.split('/')[0]!));

  test("the recordings of today's code hold every workflow path", () => {
    const paths = new Set(currentFiles.map((file) => file.split('/')[1]));
    expect(RECORDED.filter((name) => !paths.has(`${name}.json`))).toEqual([]);
  });

  test("today's code records one marker per run, the newest patch's, and none for a type written after it (the batch)", () => {
    for (const file of currentFiles) {
      const history = loadHistory(file);
      const expected = PATCHED_WORKFLOWS[PATCHES.currentDetails].includes(workflowTypeOf(history)) ? [PATCHES.currentDetails] : [];
      expect(patchMarkers(history), file).toEqual(expected);
    }
  });

  test("each recording's manifest names its commit and the patches its code knew; no history carries a marker its code did not know", () => {
    for (const folder of GENERATIONS) {
      const manifest = manifestOf(folder);
      expect(folder, 'folders are named <date>-<short commit>').toBe(`${manifest.recorded.slice(0, 10)}-${manifest.commit.slice(0, 7)}`);
      for (const file of HISTORY_FILES.filter((f) => f.startsWith(`${folder}/`))) {
        expect(manifest.patches, file).toEqual(expect.arrayContaining(patchMarkers(loadHistory(file))));
      }
    }
  });

  // A new patch id needs both: a history of the old path (recorded before it) and one of the new (recorded with it).
  test.each(Object.values(PATCHES))('patch %s has a history recorded before it and one recorded with it', (id) => {
    const histories = HISTORY_FILES.map((file) => ({ file, history: loadHistory(file), manifest: manifestOf(file.split('/')[0]!) })).filter(({ history }) =>
      PATCHED_WORKFLOWS[id].includes(workflowTypeOf(history)),
    );
    const before = histories.filter(({ manifest }) => !manifest.patches.includes(id)).map(({ file }) => file);
    const withIt = histories.filter(({ history }) => patchMarkers(history).includes(id)).map(({ file }) => file);
    expect(before, `no history of ${PATCHED_WORKFLOWS[id].join(', ')} recorded before ${id}`).not.toEqual([]);
    expect(withIt, `no history recorded with ${id}: npm run record:histories`).not.toEqual([]);
  });
});

test.each(HISTORY_FILES)('%s replays against the current workflow code', async (file) => {
  const results = await replay(production, [file]);
  expect(results).toEqual([{ workflowId: file, runId: runIdOf(loadHistory(file)), error: undefined }]);
});

/** Recorded before any patch, and with the search attributes at every step. */
const V1_MULTI = '2026-12-01-070f30f/multi-completed.json';
const V1_SIMPLE = '2026-12-01-070f30f/simple-completed.json';
const SEARCH_ATTRIBUTES_ERA = '2026-12-01-3cd2a32';

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
  const [multi, simple] = await replay(changed, [V1_MULTI, V1_SIMPLE]);
  expect(multi?.error).toBeInstanceOf(DeterminismViolationError);
  expect(multi?.error?.message).toMatch(/checkHealth.*validateData|validateData.*checkHealth/);
  // The unchanged workflow in the same bundle still replays: the failure is the change, not the bundle.
  expect(simple).toEqual({ workflowId: V1_SIMPLE, runId: expect.any(String), error: undefined });
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

test('without its patched() guard, the search-attribute change breaks runs recorded before it; with it, they replay', async () => {
  const [old] = await replay(await bundled(UNGUARDED_WORKFLOWS), [V1_MULTI]);
  expect(old?.error).toBeInstanceOf(DeterminismViolationError);
  // The guarded production code replays the same history, and records the new path beside it.
  expect((await replay(production, [V1_MULTI, `${SEARCH_ATTRIBUTES_ERA}/multi-completed.json`])).map((r) => r.error)).toEqual([undefined, undefined]);
});
