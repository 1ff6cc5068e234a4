// npm run record:histories: runs every path of the workflows once, for real (its own in-memory dev
// server, Server A and B in this process, the production worker), and saves each run's event history
// as test/histories/<name>.json. test/replay.test.ts replays those files against the current workflow
// code: a change that would break runs already in flight (a step added, removed or moved without
// patched()) fails that test instead of failing workflow tasks in production.
// When to re-run: after a deliberate change guarded by patched(), once the old histories still replay,
// so the new path is recorded too (first keep a copy of any file a still-open run may need, e.g.
// v1-multi-completed.json: the test replays every file in the folder); and to retire histories once no
// run of the old code can still be open. Never to make a red replay test green.
// `npm run record:histories -- batch-*` (names, or prefixes ending in *) still runs every path, since later
// paths rely on the servers' state after earlier ones, but writes only the files named: use it to add a
// new path without rewriting the recordings of the others.
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../shared/config.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { ADAPTIVE_PLANS } from '../test/support/adaptive-plans.ts';
import { startServerA, startServerB, statusOf } from '../test/support/services.ts';
import { startDevServer } from '../temporal/dev/dev-server.ts';
import { freeDevServerPort } from '../temporal/dev/free-port.ts';
import { ensureTemporalCli } from '../temporal/dev/temporal-cli.ts';
import { FailureType, type FailureTypeName } from '../temporal/failure-types.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes-registration.ts';
import { createActivities } from '../temporal/activities/index.ts';
import { createServiceClients } from '../temporal/activities/service-clients.ts';
import { createWorker } from '../temporal/worker/create-worker.ts';
import { batchWorkflow } from '../temporal/workflows/batch.ts';
import { WORKFLOW_KINDS } from '../temporal/workflows/kinds.ts';
import { decideUpdate, progressQuery, reviewQuery } from '../temporal/workflows/messages.ts';
import type { MultiServerInput, PublishInput, WorkflowInput } from '../temporal/workflows/types.ts';

const HISTORIES = new URL('../test/histories/', import.meta.url);
const NAMESPACE = 'default';
const TASK_QUEUE = 'record-histories';

type Outcome = 'completed' | 'cancelled' | `failed with ${FailureTypeName}`;

/** The files to write (names, or prefixes ending in *); all of them when none is given. */
const ONLY = process.argv.slice(2);
const selected = (name: string) => ONLY.length === 0 || ONLY.some((o) => (o.endsWith('*') ? name.startsWith(o.slice(0, -1)) : name === o));

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
  const cli = await ensureTemporalCli({ explicitPath: loadConfigOrExit().temporal.cliPath, log: (line) => console.log(line) });
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
  const serverUrls = { 'server-a': a.url, 'server-b': b.url };
  const worker = await createWorker({ connection: nativeConnection, namespace: NAMESPACE, taskQueue: TASK_QUEUE, serverUrls });

  const startMulti = (name: string, input: MultiServerInput) =>
    client.workflow.start(WORKFLOW_KINDS.multi.workflow, { taskQueue: TASK_QUEUE, workflowId: `${WORKFLOW_KINDS.multi.idPrefix}-${name}`, args: [input] });
  const startPublish = (name: string, input: PublishInput) =>
    client.workflow.start(WORKFLOW_KINDS.publish.workflow, { taskQueue: TASK_QUEUE, workflowId: `${WORKFLOW_KINDS.publish.idPrefix}-${name}`, args: [input] });
  const startSimple = (name: string, input: WorkflowInput) =>
    client.workflow.start(WORKFLOW_KINDS.simple.workflow, { taskQueue: TASK_QUEUE, workflowId: `${WORKFLOW_KINDS.simple.idPrefix}-${name}`, args: [input] });
  const startAdaptive = (name: string, input: WorkflowInput) =>
    client.workflow.start(WORKFLOW_KINDS.adaptive.workflow, { taskQueue: TASK_QUEUE, workflowId: name, args: [input] });

  await worker.runUntil(async () => {
    await record('multi-completed', await startMulti('multi-completed', { data: 'Hello order world' }), 'completed');
    await record('simple-completed', await startSimple('simple-completed', { data: 'Hello order world' }), 'completed');
    await record('validation-failed', await startMulti('validation-failed', { data: '<script>' }), `failed with ${FailureType.validationFailed}`);
    // Started by type name with raw input, as `temporal workflow start` or the Web UI would.
    const invalid = await client.workflow.start('multiServerWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'multi-server-invalid-input', args: [42] });
    await record('invalid-input', invalid, `failed with ${FailureType.invalidInput}`);

    const thirdParty = { latencyMs: 0, failureRate: 0.5, failureStatus: 429, retryAfterSeconds: 2 } as const;
    await record('third-party-429', await startMulti('third-party-429', { data: 'Hello order world', thirdParty }), 'completed');
    if (draws !== 2) throw new Error(`third-party-429: expected one 429 and one success from the third party, got ${draws} calls`);

    const slow = await startMulti('cancelled', { data: 'Hello order world', thirdParty: { latencyMs: 20_000, failureRate: 0 } });
    await waitUntil('the third-party call is in flight', async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight === 1);
    await slow.cancel();
    await record('cancelled', slow, 'cancelled');

    await b.close(0);
    await record(
      'service-unavailable',
      await startMulti('service-unavailable', { data: 'Hello order world', outageLimit: '2s' }),
      `failed with ${FailureType.serviceUnavailable}`,
    );

    const outage = await startMulti('server-b-outage-retried', { data: 'Hello order world' });
    // Attempt 3 pending: Server B's health check has failed twice.
    await waitUntil("server-b's health check has failed twice", async () =>
      ((await outage.describe()).raw.pendingActivities ?? []).some((p) => p.activityType?.name === 'checkHealth' && (p.attempt ?? 0) >= 3),
    );
    b = await startServerB({ port: b.port });
    await record('server-b-outage-retried', outage, 'completed');

    await record('publish-published', await startPublish('publish-published', { data: 'Fresh news about the order' }), 'completed');
    await record('publish-rejected', await startPublish('publish-rejected', { data: 'Cheap spam offer' }), 'completed');
    const approved = await startPublish('publish-review-approved', { data: 'Refund request for order 42' });
    await waitUntil('the review is pending', async () => (await approved.query(reviewQuery)).state === 'pending');
    await approved.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ada', comment: 'checked' }] });
    await record('publish-review-approved', approved, 'completed');
    await record(
      'publish-review-expired',
      await startPublish('publish-review-expired', { data: 'Refund request for order 42', reviewDeadline: '1s' }),
      'completed',
    );
    const abandoned = await startPublish('publish-review-cancelled', { data: 'Refund request for order 42' });
    await waitUntil('the review is pending', async () => (await abandoned.query(reviewQuery)).state === 'pending');
    await abandoned.cancel();
    await record('publish-review-cancelled', abandoned, 'cancelled');
    await b.close(0);
    const compensated = await startPublish('publish-compensated', { data: 'Fresh news about the order', outageLimit: '2s' });
    await waitUntil('the submit step has given up', async () =>
      (await compensated.query(progressQuery)).steps.some((s) => s.step === 'submit-publication' && s.status === 'failed'),
    );
    b = await startServerB({ port: b.port });
    await record('publish-compensated', compensated, `failed with ${FailureType.serviceUnavailable}`);

    // One adaptive run per plan (adaptive-plan.ts): each category's steps, and a long text's digest.
    for (const { name, data } of ADAPTIVE_PLANS) await record(name, await startAdaptive(name, { data }), 'completed');
  });

  // The saga's point of no return: a Server A whose every answer to a commit is lost after committing.
  const lossyA = await startServerA({ faults: { afterApply: 'drop', endpoints: ['POST /records/:id/commit'], loseReplays: true } });
  cleanup.push(() => lossyA.close(0));
  const pivotQueue = `${TASK_QUEUE}-pivot`;
  const pivotWorker = await createWorker({
    connection: nativeConnection,
    namespace: NAMESPACE,
    taskQueue: pivotQueue,
    serverUrls: { 'server-a': lossyA.url, 'server-b': b.url },
  });
  await pivotWorker.runUntil(async () => {
    const args: [WorkflowInput] = [{ data: 'Fresh news about the order', outageLimit: '2s' }];
    const pivot = await client.workflow.start(WORKFLOW_KINDS.publish.workflow, { taskQueue: pivotQueue, workflowId: 'publish-pivot', args });
    await record('publish-pivot', pivot, 'completed');
  });

  // Batches: children that succeed, are rejected (Server A) and fail (an enrichment broken on purpose for
  // data with "boom"), across a continue-as-new; a bad batch input; a batch cancelled with children running.
  const batchQueue = `${TASK_QUEUE}-batch`;
  const batchUrls = { 'server-a': a.url, 'server-b': b.url };
  const real = createActivities(createServiceClients(batchUrls));
  const batchWorker = await createWorker({
    connection: nativeConnection,
    namespace: NAMESPACE,
    taskQueue: batchQueue,
    serverUrls: batchUrls,
    activities: {
      enrichData: async (request) => {
        if (request.data.includes('boom')) throw ApplicationFailure.nonRetryable('enrichment broken on purpose', 'RecordedBreakage');
        return real.enrichData(request);
      },
    },
  });
  await batchWorker.runUntil(async () => {
    const startBatch = (name: string, input: Parameters<typeof batchWorkflow>[0]) =>
      client.workflow.start(batchWorkflow, { taskQueue: batchQueue, workflowId: `batch-${name}`, args: [input] });
    const items = ['Hello order world', '<script>', 'Fresh news that goes boom', 'Good morning all'].map((data) => ({ data }));
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

    // By type name with raw input, as `temporal workflow start` or the Web UI would.
    const invalid = await client.workflow.start('batchWorkflow', {
      taskQueue: batchQueue,
      workflowId: 'batch-invalid-input',
      args: [{ kind: 'bulk', items: [] }],
    });
    await record('batch-invalid-input', invalid, `failed with ${FailureType.invalidInput}`);

    const slow = { latencyMs: 20_000, failureRate: 0 };
    const cancelled = await startBatch('cancelled', {
      kind: 'multi',
      items: [1, 2, 3].map((n) => ({ data: `slow item ${n}`, thirdParty: slow })),
      maxConcurrent: 2,
    });
    await waitUntil('both running children are in their third-party call', async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight === 2);
    await cancelled.cancel();
    await record('batch-cancelled', cancelled, 'cancelled');
  });
}

/** Checks how the run ended, then writes its history in the JSON form Temporal's tools use. */
async function record(name: string, handle: WorkflowHandle, expected: Outcome): Promise<void> {
  const outcome = await outcomeOf(handle);
  if (outcome !== expected) throw new Error(`${name}: expected the run to end ${expected}, but it ended ${outcome}`);
  const history = await handle.fetchHistory();
  if (!selected(name)) {
    console.log(`test/histories/${name}.json: ${outcome} (not written: not among ${ONLY.join(' ')})`);
    return;
  }
  const json = `${historyToJSON(history)}\n`;
  mkdirSync(HISTORIES, { recursive: true });
  writeFileSync(new URL(`${name}.json`, HISTORIES), json);
  console.log(`test/histories/${name}.json: ${outcome}, ${history.events?.length ?? 0} events, ${(json.length / 1024).toFixed(1)} KB`);
}

async function outcomeOf(handle: WorkflowHandle): Promise<string> {
  try {
    await handle.result();
    return 'completed';
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    if (error.cause instanceof CancelledFailure) return 'cancelled';
    if (error.cause instanceof ApplicationFailure) return `failed with ${error.cause.type}`;
    return `failed: ${error.cause?.message ?? error.message}`;
  }
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
