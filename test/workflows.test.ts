// The workflows on a real Temporal server, with the real worker setup, activities and services.
// Skipped (and counted as skipped) when the run has no Temporal server; see support/find-temporal.ts.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createServerAApp } from '../server-a/app.ts';
import type { ServiceName } from '../shared/api.ts';
import { listen, type RunningService } from '../shared/service/serve.ts';
import { FailureType } from '../temporal/failure-types.ts';
import { progressQuery } from '../temporal/workflows/step-tracker.ts';
import type { MultiServerResult, SimpleResult, WorkflowInput } from '../temporal/workflows/types.ts';
import { HOST, silentLogger, startServerA, startServerB } from './support/services.ts';
import {
  connectToTemporal,
  FAST_RETRY,
  TEMPORAL_TAG,
  temporal,
  type TemporalConnections,
  testWorker,
  uniqueTaskQueue,
  workflowBundle,
} from './support/temporal.ts';

/** A workflow run here takes seconds; retry and restart scenarios a few more. */
const WORKFLOW_TEST_TIMEOUT_MS = 60_000;

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} workflows`, { timeout: WORKFLOW_TEST_TIMEOUT_MS }, () => {
  let temporalConnections: TemporalConnections;
  const started: RunningService[] = [];

  beforeAll(async () => {
    temporalConnections = await connectToTemporal();
    await workflowBundle();
  });
  afterAll(async () => {
    await temporalConnections?.close();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });

  async function track(service: Promise<RunningService>): Promise<RunningService> {
    const running = await service;
    started.push(running);
    return running;
  }

  /** Runs a worker for `taskQueue` against the given service URLs while `body` runs. */
  async function withWorker<T>(taskQueue: string, urls: Record<ServiceName, string>, body: () => Promise<T>): Promise<T> {
    const worker = await testWorker(temporalConnections, taskQueue, urls);
    return worker.runUntil(body);
  }

  function start(workflow: 'multiServerWorkflow' | 'simpleWorkflow', taskQueue: string, input: WorkflowInput) {
    return temporalConnections.client.workflow.start(workflow, {
      taskQueue,
      workflowId: `${taskQueue}-${workflow}`,
      args: [input],
    });
  }

  /** Each activity's type, input and final attempt, from the event history. */
  async function activityAttempts(handle: WorkflowHandle): Promise<Array<{ type: string; input: unknown; attempt: number }>> {
    const history = await handle.fetchHistory();
    const scheduled = new Map<string, { type: string; input: unknown }>();
    const attempts: Array<{ type: string; input: unknown; attempt: number }> = [];
    for (const event of history.events ?? []) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s) {
        const payload = s.input?.payloads?.[0];
        scheduled.set(String(event.eventId), {
          type: s.activityType?.name ?? '',
          input: payload ? defaultPayloadConverter.fromPayload(payload) : undefined,
        });
      }
      const st = event.activityTaskStartedEventAttributes;
      if (st) {
        const of = scheduled.get(String(st.scheduledEventId));
        if (of) attempts.push({ ...of, attempt: st.attempt ?? 0 });
      }
    }
    return attempts;
  }

  /** Waits until `activityType` has failed at least once and is waiting for its next attempt. */
  async function retrying(handle: WorkflowHandle, activityType: string): Promise<void> {
    await expect
      .poll(
        async () => {
          const { raw } = await handle.describe();
          return (raw.pendingActivities ?? []).some((p) => p.activityType?.name === activityType && (p.attempt ?? 0) >= 2);
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
  }

  async function workflowTaskFailures(handle: WorkflowHandle): Promise<number> {
    const history = await handle.fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
  }

  async function failureOf(handle: WorkflowHandle): Promise<WorkflowFailedError> {
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    return error as WorkflowFailedError;
  }

  /** A Server A whose /process-internal waits until released, to act while a workflow is mid-run. */
  async function gatedServerA() {
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const app = express();
    app.use((req, _res, next) => {
      if (req.path !== '/process-internal') return next();
      reached();
      void released.then(() => next());
    });
    app.use(createServerAApp(silentLogger()));
    const service = await track(listen(app, HOST, 0));
    return { service, arrived, release };
  }

  test('multiServerWorkflow returns every step result, the combined summary and per-step timings', async () => {
    const a = await track(startServerA());
    const b = await track(startServerB());
    const taskQueue = uniqueTaskQueue('multi');
    const result = await withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await start('multiServerWorkflow', taskQueue, { data: '  Hello order   WORLD ', retry: FAST_RETRY });
      return (await handle.result()) as MultiServerResult;
    });

    expect(result.workflow).toBe('multiServerWorkflow');
    expect(result.input).toEqual({ data: '  Hello order   WORLD ', retry: FAST_RETRY });
    expect(result.health['server-a']).toMatchObject({ service: 'server-a', status: 'ok' });
    expect(result.health['server-b']).toMatchObject({ service: 'server-b', status: 'ok' });
    expect(result.validation).toEqual({ valid: true, errors: [] });
    expect(result.internal).toMatchObject({ normalized: 'hello order world', wordCount: 3, characterCount: 17 });
    expect(result.external.contentHash).toBe(result.internal.contentHash);
    expect(result.enrichment).toMatchObject({ category: 'commerce', score: 58, keywords: ['hello', 'order', 'world'] });
    expect(result.thirdParty).toBeNull();
    expect(result.summary).toEqual({
      reference: result.external.reference,
      category: 'commerce',
      score: 58,
      keywords: ['hello', 'order', 'world'],
      wordCount: 3,
      characterCount: 17,
      contentHash: result.internal.contentHash,
      hashesMatch: true,
      servers: ['server-a', 'server-b'],
      totalDurationMs: expect.any(Number),
    });
    expect(result.summary.reference).toMatch(/^EXT-[0-9A-F]{12}$/);
    expect(result.timings.map((t) => t.step)).toEqual(['health-check', 'validate', 'process-internal', 'process-external', 'enrich', 'combine']);
    for (const t of result.timings) {
      expect(t.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(t.finishedAt) - Date.parse(t.startedAt)).toBe(t.durationMs);
    }
  });

  test('simpleWorkflow uses Server A only (Server B is not even running)', async () => {
    const a = await track(startServerA());
    const taskQueue = uniqueTaskQueue('simple');
    const result = await withWorker(taskQueue, { 'server-a': a.url, 'server-b': 'http://127.0.0.1:9' }, async () => {
      const handle = await start('simpleWorkflow', taskQueue, { data: 'Test Data', retry: FAST_RETRY });
      return (await handle.result()) as SimpleResult;
    });
    expect(result.workflow).toBe('simpleWorkflow');
    expect(result.summary).toMatchObject({ normalized: 'test data', wordCount: 2, characterCount: 9, servers: ['server-a'] });
    expect(result.timings.map((t) => t.step)).toEqual(['validate', 'process-internal']);
  });

  test('the optional third-party step retries a 503 and then succeeds', async () => {
    const a = await track(startServerA());
    let calls = 0;
    // The first draw fails (0 < 0.5), every later one succeeds.
    const b = await track(startServerB({ random: () => (calls++ === 0 ? 0 : 0.99) }));
    const taskQueue = uniqueTaskQueue('third-party');
    const { result, attempts } = await withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await start('multiServerWorkflow', taskQueue, {
        data: 'abc',
        thirdParty: { latencyMs: 0, failureRate: 0.5, retryAfterSeconds: 0 },
        retry: FAST_RETRY,
      });
      return { result: (await handle.result()) as MultiServerResult, attempts: await activityAttempts(handle) };
    });
    expect(result.thirdParty).toMatchObject({ query: 'abc', answer: { reversed: 'cba', length: 3 } });
    expect(attempts.find((x) => x.type === 'callThirdParty')?.attempt).toBe(2);
  });

  test('invalid data fails the workflow at once: one validate attempt, no retries, a readable ValidationFailed', async () => {
    const a = await track(startServerA());
    const b = await track(startServerB());
    const taskQueue = uniqueTaskQueue('invalid');
    const { error, attempts, taskFailures, progress, elapsedMs } = await withWorker(
      taskQueue,
      { 'server-a': a.url, 'server-b': b.url },
      async () => {
        const t0 = Date.now();
        const handle = await start('multiServerWorkflow', taskQueue, { data: '', retry: FAST_RETRY });
        const error = await failureOf(handle);
        return {
          error,
          elapsedMs: Date.now() - t0,
          attempts: await activityAttempts(handle),
          taskFailures: await workflowTaskFailures(handle),
          progress: await handle.query(progressQuery),
        };
      },
    );
    expect(error.cause).toBeInstanceOf(ApplicationFailure);
    const cause = error.cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.validationFailed);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toBe('Input rejected by server-a /validate: data must not be empty or only whitespace');
    expect(cause.details).toEqual([[{ field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' }]]);
    expect(attempts.filter((x) => x.type === 'validateData')).toEqual([{ type: 'validateData', input: { data: '' }, attempt: 1 }]);
    expect(attempts.map((x) => x.type)).not.toContain('processInternal');
    expect(taskFailures).toBe(0);
    expect(progress).toMatchObject({ status: 'failed', currentStep: null, completedSteps: ['health-check'] });
    expect(progress.steps.find((s) => s.step === 'validate')?.status).toBe('failed');
    expect(elapsedMs).toBeLessThan(10_000);
  });

  test('a 400 from a service fails its activity once, without retries', async () => {
    const a = await track(startServerA());
    const taskQueue = uniqueTaskQueue('bad-request');
    const { error, attempts } = await withWorker(taskQueue, { 'server-a': a.url, 'server-b': a.url }, async () => {
      const handle = await start('simpleWorkflow', taskQueue, { data: 42 as unknown as string, retry: FAST_RETRY });
      return { error: await failureOf(handle), attempts: await activityAttempts(handle) };
    });
    expect(error.cause).toBeInstanceOf(ActivityFailure);
    const activityFailure = error.cause as ActivityFailure;
    expect(activityFailure.activityType).toBe('validateData');
    expect(activityFailure.retryState).toBe('NON_RETRYABLE_FAILURE');
    expect(activityFailure.cause).toMatchObject({ type: FailureType.rejected, nonRetryable: true });
    expect(activityFailure.cause?.message).toContain('server-a POST /validate answered HTTP 400');
    expect(attempts).toEqual([{ type: 'validateData', input: { data: 42 }, attempt: 1 }]);
  });

  test('a dead server fails the health check quickly with a message naming it', async () => {
    const a = await track(startServerA());
    const gone = await startServerB();
    await gone.close();
    const taskQueue = uniqueTaskQueue('dead-b');
    const { error, elapsedMs } = await withWorker(taskQueue, { 'server-a': a.url, 'server-b': gone.url }, async () => {
      const t0 = Date.now();
      const handle = await start('multiServerWorkflow', taskQueue, { data: 'hello', retry: FAST_RETRY });
      return { error: await failureOf(handle), elapsedMs: Date.now() - t0 };
    });
    const cause = error.cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.healthCheckFailed);
    expect(cause.message).toBe(
      `server-b failed its health check: server-b GET /ping failed: server-b is unreachable at ${gone.url} (ECONNREFUSED)`,
    );
    expect(cause.cause).toBeInstanceOf(ActivityFailure);
    expect((cause.cause as ActivityFailure).retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
    // Five attempts with 0.2 + 0.4 + 0.8 + 1 s of backoff between them.
    expect(elapsedMs).toBeLessThan(15_000);
  });

  test('Server B down at the start and up a moment later: the health check retries and the workflow completes', async () => {
    const a = await track(startServerA());
    const reserved = await startServerB();
    await reserved.close();
    const taskQueue = uniqueTaskQueue('b-late');
    const { result, attempts } = await withWorker(taskQueue, { 'server-a': a.url, 'server-b': reserved.url }, async () => {
      // Slower than FAST_RETRY: five health-check attempts now span about 7 s, ample time to start B.
      const handle = await start('multiServerWorkflow', taskQueue, { data: 'late start', retry: { initialInterval: '1s', maximumInterval: '2s' } });
      await retrying(handle, 'checkHealth');
      await track(startServerB({ port: reserved.port }));
      return { result: (await handle.result()) as MultiServerResult, attempts: await activityAttempts(handle) };
    });
    expect(result.summary.hashesMatch).toBe(true);
    const healthB = attempts.find((x) => x.type === 'checkHealth' && x.input === 'server-b');
    expect(healthB?.attempt).toBeGreaterThan(1);
  });

  test('Server B stopped mid-run and restarted: the workflow rides it out; progress is queryable meanwhile', async () => {
    const gate = await gatedServerA();
    const b1 = await startServerB();
    const taskQueue = uniqueTaskQueue('b-restart');
    const { result, attempts, midRun } = await withWorker(taskQueue, { 'server-a': gate.service.url, 'server-b': b1.url }, async () => {
      const handle = await start('multiServerWorkflow', taskQueue, { data: 'ride it out', retry: FAST_RETRY });
      await gate.arrived; // the workflow is in process-internal, past B's health check
      const midRun = await handle.query(progressQuery);
      await b1.close();
      gate.release();
      await retrying(handle, 'processExternal');
      await track(startServerB({ port: b1.port }));
      return { midRun, result: (await handle.result()) as MultiServerResult, attempts: await activityAttempts(handle) };
    });
    expect(midRun).toEqual({
      workflow: 'multiServerWorkflow',
      status: 'running',
      currentStep: 'process-internal',
      completedSteps: ['health-check', 'validate'],
      steps: [
        { step: 'health-check', status: 'completed', durationMs: expect.any(Number) },
        { step: 'validate', status: 'completed', durationMs: expect.any(Number) },
        { step: 'process-internal', status: 'running', durationMs: null },
        { step: 'process-external', status: 'pending', durationMs: null },
        { step: 'enrich', status: 'pending', durationMs: null },
        { step: 'combine', status: 'pending', durationMs: null },
      ],
    });
    expect(result.summary.servers).toEqual(['server-a', 'server-b']);
    expect(attempts.find((x) => x.type === 'processExternal')?.attempt).toBeGreaterThan(1);
  });

  test('a worker restarted mid-run: a new worker picks the workflow up from its history and completes it', async () => {
    const gate = await gatedServerA();
    const b = await track(startServerB());
    const taskQueue = uniqueTaskQueue('worker-restart');
    const urls = { 'server-a': gate.service.url, 'server-b': b.url };
    const first = await testWorker(temporalConnections, taskQueue, urls);
    const firstRun = first.run();
    let handle: WorkflowHandle;
    try {
      handle = await start('multiServerWorkflow', taskQueue, { data: 'survive a restart', retry: FAST_RETRY });
      await gate.arrived;
    } finally {
      first.shutdown(); // stops polling; the activity in flight may still finish during the grace time
      gate.release();
      await firstRun;
    }
    // No worker now: the workflow simply waits in Temporal.
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const second = await testWorker(temporalConnections, taskQueue, urls);
    const result = (await second.runUntil(() => handle.result())) as MultiServerResult;
    expect(result.summary.hashesMatch).toBe(true);
    expect(result.timings.map((t) => t.step)).toEqual(['health-check', 'validate', 'process-internal', 'process-external', 'enrich', 'combine']);
  });
});
