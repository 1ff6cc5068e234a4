// npm run record:histories [-- name or prefix* …]: runs each workflow path once, for real, and saves its history
// for test/replay.test.ts in test/histories/<date>-<commit>/ (docs/testing.md; when to record: docs/versioning.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, orExit } from '../shared/config.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { ADAPTIVE_PLANS } from '../test/support/adaptive-plans.ts';
import { pendingActivity } from '../test/support/pending-activity.ts';
import { startServerA, startServerB, statusOf } from '../test/support/services.ts';
import { startDevServer } from '../temporal/dev/dev-server.ts';
import { freeDevServerPort } from '../temporal/dev/free-port.ts';
import { ensureTemporalCli } from '../temporal/dev/temporal-cli.ts';
import { FailureType, type FailureTypeName } from '../temporal/failure-types.ts';
import { startWorkflow } from '../temporal/run-kinds.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes-registration.ts';
import { createActivities } from '../temporal/activities/index.ts';
import { createServiceClients } from '../temporal/activities/service-clients.ts';
import { createWorker, type WorkerSetup } from '../temporal/worker/create-worker.ts';
import { outcomeOf } from './support/run-workflows.ts';
import { type BatchInput, type BatchItem, batchWorkflow } from '../temporal/workflows/batch.ts';
import { WORKFLOW_KINDS, type WorkflowKind } from '../temporal/workflows/kinds.ts';
import { decideUpdate, reviewQuery } from '../temporal/workflows/review.ts';
import { PATCHES } from '../temporal/workflows/patches.ts';
import { progressQuery } from '../temporal/workflows/steps.ts';

const ROOT = new URL('..', import.meta.url);
const NAMESPACE = 'default';
const TASK_QUEUE = 'record-histories';
const ORDER = 'Hello order world';
const NEWS = 'Fresh news about the order';
const REFUND = 'Refund request for order 42';

type Outcome = 'completed' | 'cancelled' | `failed with ${FailureTypeName}`;

/** The paths to record (names, or prefixes ending in *); all of them when none is given. */
const ONLY = process.argv.slice(2);
const selected = (name: string) => ONLY.length === 0 || ONLY.some((o) => (o.endsWith('*') ? name.startsWith(o.slice(0, -1)) : name === o));
const wanted = (...names: string[]) => names.some(selected);

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!test/histories');
if (changed !== '') {
  console.error(`record-histories: commit your changes first; a history must name the code that recorded it. Uncommitted:\n${changed}`);
  process.exit(2);
}
const commit = git('rev-parse', 'HEAD');
const recorded = new Date().toISOString();
const folder = `test/histories/${recorded.slice(0, 10)}-${commit.slice(0, 7)}`;
const HISTORIES = new URL(`${folder}/`, ROOT);

const cleanup: Array<() => Promise<unknown>> = [];
try {
  await recordAll();
  await stopAll();
  // An abandoned 20 s third-party call of the cancelled run may still hold a timer in Server B.
  process.exit(0);
} catch (error) {
  console.error(`record-histories failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}

async function recordAll(): Promise<void> {
  const cli = await ensureTemporalCli({ explicitPath: orExit(loadConfig).temporal.cliPath, log: (line) => console.log(line) });
  const temporal = await startDevServer({ cli: cli.path, port: await freeDevServerPort(), namespace: NAMESPACE });
  cleanup.push(temporal.stop);
  // Failed attempts are what several of these runs provoke on purpose: show only the SDK's errors.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await Connection.connect({ address: temporal.address });
  cleanup.push(() => connection.close());
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  cleanup.push(() => nativeConnection.close());
  const client = new Client({ connection, namespace: NAMESPACE });
  await ensureSearchAttributes(connection, NAMESPACE);

  const a = await startServerA();
  cleanup.push(() => a.close(0));
  // Only third-party calls draw, and third-party-429 makes the first two: its first call fails, its
  // retry succeeds (the cancelled run's call is cancelled before it draws).
  let draws = 0;
  let b: RunningService = await startServerB({ random: () => (draws++ === 0 ? 0 : 0.99) });
  cleanup.push(() => b.close(0)); // whichever B runs last
  const thirdPartyInFlight = async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight;

  const withWorker = async (setup: Pick<WorkerSetup, 'taskQueue' | 'serverUrls' | 'activities'>, work: () => Promise<void>) =>
    (await createWorker({ connection: nativeConnection, namespace: NAMESPACE, ...setup })).runUntil(work);
  /** Workflow ids are `<kind's prefix>-<name>` unless given: the recorded histories have them. */
  const start = (kind: WorkflowKind, name: string, input: BatchItem, workflowId = `${WORKFLOW_KINDS[kind].idPrefix}-${name}`, taskQueue = TASK_QUEUE) =>
    startWorkflow(client, kind, { taskQueue, workflowId }, input);
  /** By type name with raw input, as `temporal workflow start` or the Web UI would. */
  const startRaw = (type: string, workflowId: string, input: unknown, taskQueue = TASK_QUEUE) =>
    client.workflow.start(type, { taskQueue, workflowId, args: [input] });
  const run = async (kind: WorkflowKind, name: string, input: BatchItem, expected: Outcome = 'completed') =>
    record(name, await start(kind, name, input), expected);
  const serviceUnavailable: Outcome = `failed with ${FailureType.serviceUnavailable}`;
  const invalidInput: Outcome = `failed with ${FailureType.invalidInput}`;

  await withWorker({ taskQueue: TASK_QUEUE, serverUrls: { 'server-a': a.url, 'server-b': b.url } }, async () => {
    if (wanted('multi-completed')) await run('multi', 'multi-completed', { data: ORDER });
    if (wanted('simple-completed')) await run('simple', 'simple-completed', { data: ORDER });
    if (wanted('validation-failed')) await run('multi', 'validation-failed', { data: '<script>' }, `failed with ${FailureType.validationFailed}`);
    if (wanted('invalid-input')) await record('invalid-input', await startRaw('multiServerWorkflow', 'multi-server-invalid-input', 42), invalidInput);

    if (wanted('third-party-429')) {
      await run('multi', 'third-party-429', { data: ORDER, thirdParty: { latencyMs: 0, failureRate: 0.5, failureStatus: 429, retryAfterSeconds: 2 } });
      if (draws !== 2) throw new Error(`third-party-429: expected one 429 and one success from the third party, got ${draws} calls`);
    }

    if (wanted('cancelled')) {
      const slow = await start('multi', 'cancelled', { data: ORDER, thirdParty: { latencyMs: 20_000, failureRate: 0 } });
      await waitUntil('the third-party call is in flight', async () => (await thirdPartyInFlight()) === 1);
      await slow.cancel();
      await record('cancelled', slow, 'cancelled');
    }

    if (wanted('service-unavailable')) {
      await b.close(0);
      await run('multi', 'service-unavailable', { data: ORDER, outageLimit: '2s' }, serviceUnavailable);
      b = await startServerB({ port: b.port });
    }
    if (wanted('server-b-outage-retried')) {
      await b.close(0);
      const outage = await start('multi', 'server-b-outage-retried', { data: ORDER });
      // Attempt 3 pending: Server B's health check has failed twice.
      await waitUntil("server-b's health check has failed twice", async () => ((await pendingActivity(outage, 'checkHealth'))?.attempt ?? 0) >= 3);
      b = await startServerB({ port: b.port });
      await record('server-b-outage-retried', outage, 'completed');
    }

    if (wanted('publish-published')) await run('publish', 'publish-published', { data: NEWS });
    if (wanted('publish-rejected')) await run('publish', 'publish-rejected', { data: 'Cheap spam offer' });
    if (wanted('publish-review-approved')) {
      const approved = await start('publish', 'publish-review-approved', { data: REFUND });
      await waitUntil('the review is pending', async () => (await approved.query(reviewQuery)).state === 'pending');
      await approved.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ada', comment: 'checked' }] });
      await record('publish-review-approved', approved, 'completed');
    }
    if (wanted('publish-review-expired')) await run('publish', 'publish-review-expired', { data: REFUND, reviewDeadline: '1s' });
    if (wanted('publish-review-cancelled')) {
      const abandoned = await start('publish', 'publish-review-cancelled', { data: REFUND });
      await waitUntil('the review is pending', async () => (await abandoned.query(reviewQuery)).state === 'pending');
      await abandoned.cancel();
      await record('publish-review-cancelled', abandoned, 'cancelled');
    }

    if (wanted('publish-compensated')) {
      await b.close(0);
      const compensated = await start('publish', 'publish-compensated', { data: NEWS, outageLimit: '2s' });
      await waitUntil('the submit step has given up', async () =>
        (await compensated.query(progressQuery)).steps.some((s) => s.step === 'submit-publication' && s.status === 'failed'),
      );
      b = await startServerB({ port: b.port });
      await record('publish-compensated', compensated, serviceUnavailable);
    }

    // One adaptive run per plan (adaptive-plan.ts): each category's steps, and a long text's digest.
    for (const { name, data } of ADAPTIVE_PLANS) if (wanted(name)) await record(name, await start('adaptive', name, { data }, name), 'completed');
  });

  if (wanted('publish-pivot')) {
    // The saga's point of no return: a Server A whose every answer to a commit is lost after committing.
    const lossyA = await startServerA({ faults: { afterApply: 'drop', endpoints: ['POST /records/:id/commit'], loseReplays: true } });
    cleanup.push(() => lossyA.close(0));
    const pivotQueue = `${TASK_QUEUE}-pivot`;
    await withWorker({ taskQueue: pivotQueue, serverUrls: { 'server-a': lossyA.url, 'server-b': b.url } }, async () =>
      record('publish-pivot', await start('publish', 'pivot', { data: NEWS, outageLimit: '2s' }, 'publish-pivot', pivotQueue), 'completed'),
    );
  }
  if (!wanted('batch-completed', 'batch-continued-as-new', 'batch-invalid-input', 'batch-cancelled')) return;

  // Batches: children that succeed, are rejected (Server A) and fail (an enrichment broken on purpose for
  // data with "boom"), across a continue-as-new; a bad batch input; a batch cancelled with children running.
  const batchQueue = `${TASK_QUEUE}-batch`;
  const serverUrls = { 'server-a': a.url, 'server-b': b.url };
  const real = createActivities(createServiceClients(serverUrls));
  const enrichData: typeof real.enrichData = async (request) => {
    if (request.data.includes('boom')) throw ApplicationFailure.nonRetryable('enrichment broken on purpose', 'RecordedBreakage');
    return real.enrichData(request);
  };
  const startBatch = (name: string, input: BatchInput) =>
    client.workflow.start(batchWorkflow, { taskQueue: batchQueue, workflowId: `batch-${name}`, args: [input] });
  await withWorker({ taskQueue: batchQueue, serverUrls, activities: { enrichData } }, async () => {
    const items = [ORDER, '<script>', 'Fresh news that goes boom', 'Good morning all'].map((data) => ({ data }));
    const mixed = await startBatch('completed', { kind: 'multi', items, maxConcurrent: 2, continueAsNewAfter: 2 });
    await record('batch-completed', mixed, 'completed');
    const summary = await mixed.result();
    const lists = [summary.succeeded, summary.rejected, summary.failed].map((list) => list.map((x) => x.index));
    if (summary.runs !== 2 || JSON.stringify(lists) !== '[[0,3],[1],[2]]') throw new Error(`batch-completed: unexpected summary ${JSON.stringify(summary)}`);
    const firstRun = client.workflow.getHandle(mixed.workflowId, mixed.firstExecutionRunId);
    if (!(await firstRun.fetchHistory()).events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes) {
      throw new Error('batch-continued-as-new: the first run did not end by continuing as new');
    }
    await record('batch-continued-as-new', firstRun, 'completed');
    await record('batch-invalid-input', await startRaw('batchWorkflow', 'batch-invalid-input', { kind: 'bulk', items: [] }, batchQueue), invalidInput);

    const thirdParty = { latencyMs: 20_000, failureRate: 0 };
    const cancelled = await startBatch('cancelled', { kind: 'multi', items: [1, 2, 3].map((n) => ({ data: `slow item ${n}`, thirdParty })), maxConcurrent: 2 });
    await waitUntil('both running children are in their third-party call', async () => (await thirdPartyInFlight()) === 2);
    await cancelled.cancel();
    await record('batch-cancelled', cancelled, 'cancelled');
  });
}

/** Checks how the run ended, then writes its history in the JSON form Temporal's tools use. */
async function record(name: string, handle: WorkflowHandle, expected: Outcome): Promise<void> {
  const cause = await outcomeOf(handle.result());
  const outcome = cause === 'completed' || cause === 'cancelled' ? cause : `failed with ${cause}`;
  if (outcome !== expected) throw new Error(`${name}: expected the run to end ${expected}, but it ended ${outcome}`);
  const history = await handle.fetchHistory();
  // The batch's paths come from the same runs: one asked for records the others without writing them.
  if (!selected(name)) {
    console.log(`${folder}/${name}.json: ${outcome} (not written: not among ${ONLY.join(' ')})`);
    return;
  }
  if (!existsSync(HISTORIES)) {
    mkdirSync(HISTORIES, { recursive: true });
    const manifest = { commit, recorded, patches: Object.values(PATCHES), about: git('log', '-1', '--format=%s') };
    writeFileSync(new URL('manifest.json', HISTORIES), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const json = `${historyToJSON(history)}\n`;
  // A recording stands for the runs of its code: one already made is never redone (docs/versioning.md).
  const file = new URL(`${name}.json`, HISTORIES);
  if (existsSync(file)) throw new Error(`${folder}/${name}.json exists: a recording is never redone; delete it first if it was never committed`);
  writeFileSync(file, json);
  console.log(`${folder}/${name}.json: ${outcome}, ${history.events?.length ?? 0} events, ${(json.length / 1024).toFixed(1)} KB`);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await sleep(200);
  }
}

/** Stops what was started, last first; a failure to stop one thing must not keep the rest running. */
async function stopAll(): Promise<void> {
  for (const stop of cleanup.splice(0).reverse()) await stop().catch((error: unknown) => console.error(`while stopping: ${String(error)}`));
}
