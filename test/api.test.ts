// The workflow API (api/) against a real Temporal server, a real worker and the real services: starts by
// business key and the id policies, reads, failures told apart, Server-Sent Events, review decisions,
// cancellation, listing, and Temporal being away. Every answer of every test is held to the API's OpenAPI
// document as it comes (test/support/api.ts), and the last test says every documented operation was answered.
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { EventStreamOptions } from '../api/events.ts';
import { connectInBackground } from '../api/temporal-link.ts';
import type { ErrorBody } from '../shared/contract.ts';
import { loadConfig } from '../shared/config.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { freePort } from '../temporal/dev/free-port.ts';
import { RUN_KIND_NAMES, RUN_KINDS, type RunKind } from '../temporal/run-kinds.ts';
import type { CancelAnswer, DecisionAnswer, RunDescription, RunList, RunSnapshot, StartedRun } from '../temporal/runs/contract.ts';
import { answeredOperations, connectedLink, type RunningApi, type SseMessage, startApi } from './support/api.ts';
import { documentedOperations } from './support/openapi.ts';
import { killLeftovers, runNode } from './support/processes.ts';
import { capturingLogger, gate, startServerA, startServerB } from './support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from './support/temporal.ts';
import { workflowSuite } from './support/workflow-suite.ts';

afterEach(killLeftovers);

/** A valid input of each kind, which no review or rule stops. */
const INPUTS: Record<RunKind, unknown> = {
  ...(Object.fromEntries(RUN_KIND_NAMES.map((kind) => [kind, { data: `Fresh news about the ${kind} kind` }])) as Record<RunKind, unknown>),
  batch: { kind: 'simple', items: [{ data: 'Order 1 shipped on time today' }, { data: 'Order 2 shipped on time today' }] },
};

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} the workflow API`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  interface Stack {
    api: RunningApi;
    taskQueue: string;
    /** A business key of this test's own. */
    key: (name: string) => string;
  }

  /** Services (or the given ones), a worker, and the API on the test's task queue, while `body` runs. */
  async function withApi<T>(
    body: (stack: Stack) => Promise<T>,
    options: { a?: RunningService; b?: RunningService; events?: Partial<EventStreamOptions>; stopping?: AbortSignal } = {},
  ) {
    const a = options.a ?? (await suite.track(startServerA()));
    const b = options.b ?? (await suite.track(startServerB()));
    const taskQueue = uniqueTaskQueue('api');
    const api = await startApi({
      temporal: connectedLink(suite.client),
      taskQueue,
      ...(options.events && { events: options.events }),
      ...(options.stopping && { stopping: options.stopping }),
    });
    try {
      return await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, () => body({ api, taskQueue, key: (name) => `${taskQueue}-${name}` }));
    } finally {
      await api.close();
    }
  }

  /** GETs the run until `done` says so (within the test's time), and returns that state. */
  async function waitFor(api: RunningApi, key: string, done: (run: RunDescription) => boolean): Promise<RunDescription> {
    let run: RunDescription | undefined;
    await expect
      .poll(
        async () => {
          const { status, body } = await api.call<RunDescription>('GET', `/workflows/${key}`);
          expect(status).toBe(200);
          run = body;
          return done(body);
        },
        { timeout: 80_000, interval: 100 },
      )
      .toBe(true);
    return run!;
  }
  const closed = (run: RunDescription) => run.closeTime !== null;
  const reviewPending = (run: RunDescription) => run.review?.state === 'pending';

  test('every kind starts with POST under the key and GET follows it until it completes with its result', async () => {
    await withApi(async ({ api, key }) => {
      for (const kind of RUN_KIND_NAMES) {
        const started = await api.call<StartedRun>('POST', `/workflows/${kind}/${key(kind)}`, INPUTS[kind]);
        expect(started.status).toBe(201);
        expect(started.body).toEqual({ workflowId: key(kind), runId: expect.any(String), kind, type: RUN_KINDS[kind].workflow.name, created: true });
        const run = await waitFor(api, key(kind), closed);
        expect(run).toMatchObject({ workflowId: key(kind), runId: started.body.runId, kind, status: 'COMPLETED', failure: null });
        expect(run.result).toMatchObject({ workflow: RUN_KINDS[kind].workflow.name });
        expect(run.progress?.status).toBe('completed');
      }
    });
  });

  test('one key, one run: a second POST while it runs gets it (200, created false), another kind is a 409, and after it closed a POST is a 409 naming how it ended', async () => {
    await withApi(async ({ api, key }) => {
      const path = `/workflows/publish/${key('order')}`;
      const first = await api.call<StartedRun>('POST', path, { data: 'Quarterly numbers', review: true });
      expect(first.status).toBe(201);
      const again = await api.call<StartedRun>('POST', path, { data: 'Quarterly numbers', review: true });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, created: false });
      const otherKind = await api.call<ErrorBody>('POST', `/workflows/simple/${key('order')}`, { data: 'Quarterly numbers' });
      expect(otherKind.status).toBe(409);
      expect(otherKind.body.error).toEqual({
        code: 'KEY_IN_USE',
        message: `Key "${key('order')}" is in use by a running publishWorkflow run (${first.body.runId}); it cannot also start a simpleWorkflow run`,
      });

      // A reviewer's rejection: the saga completes as rejected, a business outcome told in the result.
      await waitFor(api, key('order'), reviewPending);
      const rejected = await api.call<DecisionAnswer>('POST', `/workflows/${key('order')}/reject`, { reviewer: 'bob', comment: 'not yet public' }, 'bob');
      expect(rejected.status).toBe(200);
      expect(rejected.body.review).toMatchObject({ state: 'rejected', decision: { decision: 'reject', reviewer: 'bob', comment: 'not yet public' } });
      const run = await waitFor(api, key('order'), closed);
      expect(run).toMatchObject({ status: 'COMPLETED', failure: null, result: { outcome: 'rejected', rejection: { rule: 'review' } } });

      const closedKey = await api.call<ErrorBody>('POST', path, { data: 'Quarterly numbers' });
      expect(closedKey.status).toBe(409);
      expect(closedKey.body.error.code).toBe('KEY_ALREADY_USED');
      expect(closedKey.body.error.message).toContain(`Key "${key('order')}" was used by a publishWorkflow run that ended COMPLETED at ${run.closeTime}`);
      const late = await api.call<ErrorBody>('POST', `/workflows/${key('order')}/approve`, { reviewer: 'ada' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('RUN_CLOSED');
    });
  });

  test('approve: the decide update answers with the review, the run publishes; a second decision is refused with the run’s own reason', async () => {
    const confirm = gate(/^\/publications\/[^/]+\/confirm$/);
    const b = await suite.track(startServerB({ before: confirm.middleware }));
    await withApi(
      async ({ api, key }) => {
        await api.call('POST', `/workflows/publish/${key('doc')}`, { data: 'Quarterly numbers', review: true });
        await waitFor(api, key('doc'), reviewPending);
        const approved = await api.call<DecisionAnswer>('POST', `/workflows/${key('doc')}/approve`, { reviewer: 'ada', comment: 'numbers checked' });
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({
          workflowId: key('doc'),
          review: { state: 'approved', decision: { reviewer: 'ada', comment: 'numbers checked' } },
        });

        // Held at its next step, so the run is still open for a second decision.
        await confirm.arrived;
        const second = await api.call<ErrorBody>('POST', `/workflows/${key('doc')}/reject`, { comment: 'too late' }, 'bob');
        expect(second.status).toBe(409);
        expect(second.body.error).toEqual({ code: 'DECISION_REFUSED', message: "Refused by the run: This run's review is already over (approved by ada)" });
        confirm.release();
        const run = await waitFor(api, key('doc'), closed);
        expect(run.result).toMatchObject({ workflow: 'publishWorkflow', outcome: 'published', review: { state: 'approved' } });
      },
      { b },
    );
  });

  test('cancel: 202, the saga undoes what it did and the run ends CANCELLED, told as a cancellation; then the key and the run are closed to more', async () => {
    await withApi(async ({ api, key }) => {
      await api.call('POST', `/workflows/publish/${key('doc')}`, { data: 'Quarterly numbers', review: true });
      const waiting = await waitFor(api, key('doc'), reviewPending);
      const cancel = await api.call<CancelAnswer>('POST', `/workflows/${key('doc')}/cancel`);
      expect(cancel.status).toBe(202);
      expect(cancel.body).toEqual({ workflowId: key('doc'), runId: waiting.runId, cancelRequested: true });
      // Until a worker has answered the closed run's progress query (slow on a busy machine) there are no compensations to read.
      const run = await waitFor(api, key('doc'), (r) => closed(r) && r.progress !== null);
      expect(run).toMatchObject({ status: 'CANCELLED', result: null, failure: { category: 'cancelled', type: 'Cancelled', step: 'review' } });
      expect(run.progress && 'compensations' in run.progress ? run.progress.compensations.map((c) => [c.name, c.outcome]) : []).toEqual([
        ['withdraw-publication', 'undone'],
        ['release-record', 'undone'],
      ]);
      const again = await api.call<ErrorBody>('POST', `/workflows/${key('doc')}/cancel`);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toBe(`The run with key "${key('doc')}" has already ended (CANCELLED): there is nothing to decide or cancel any more`);
      const restart = await api.call<ErrorBody>('POST', `/workflows/publish/${key('doc')}`, { data: 'Quarterly numbers' });
      expect(restart.status).toBe(409);
      expect(restart.body.error.message).toContain('that ended CANCELLED at');
    });
  });

  test('a failed run tells a business outcome (ValidationFailed) from a technical failure (ServiceUnavailable)', async () => {
    const gone = await startServerB();
    await gone.close();
    await withApi(
      async ({ api, key }) => {
        await api.call('POST', `/workflows/simple/${key('empty')}`, { data: '   ' });
        await api.call('POST', `/workflows/multi/${key('b-down')}`, { data: 'Fresh news', outageLimit: '3s' });
        // Running (retrying Server B) for 3 s: open, but a multi run takes no review.
        const noReview = await api.call<ErrorBody>('POST', `/workflows/${key('b-down')}/approve`, { reviewer: 'ada' });
        expect(noReview.status).toBe(409);
        expect(noReview.body.error).toEqual({
          code: 'DECISION_REFUSED',
          message: 'A multiServerWorkflow run takes no review decision: only publish runs are reviewed',
        });

        const business = await waitFor(api, key('empty'), closed);
        expect(business).toMatchObject({ status: 'FAILED', result: null });
        expect(business.failure).toEqual({
          category: 'business',
          type: 'ValidationFailed',
          message: expect.stringContaining('data must not be empty'),
          step: 'validate',
          details: [[{ field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' }]],
        });
        const technical = await waitFor(api, key('b-down'), closed);
        expect(technical).toMatchObject({ status: 'FAILED', result: null });
        expect(technical.failure).toMatchObject({
          category: 'technical',
          type: 'ServiceUnavailable',
          message: expect.stringContaining('server-b stayed unavailable for longer than the outage limit of 3 s'),
          step: 'health-check',
        });
      },
      { b: gone },
    );
  });

  test('events: a progress event whenever the run moves on, then its outcome, then the stream ends', async () => {
    const internal = gate('/process-internal');
    const enrich = gate('/enrich');
    const a = await suite.track(startServerA({ before: internal.middleware }));
    const b = await suite.track(startServerB({ before: enrich.middleware }));
    await withApi(
      async ({ api, key }) => {
        await api.call('POST', `/workflows/multi/${key('watched')}`, { data: 'Fresh news' });
        await internal.arrived;
        const stream = await api.events(key('watched'));
        expect(stream.status).toBe(200);
        expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
        const events: Array<Extract<SseMessage, { event: string }>> = [];
        for await (const message of stream.messages) {
          if (!('event' in message)) continue;
          events.push(message);
          const current = (message.data as RunSnapshot).progress;
          // Each release lets the run reach the next held step: the stream must say so before the end.
          if (current && 'currentStep' in current && current.currentStep === 'process-internal') internal.release();
          if (current && 'currentStep' in current && current.currentStep === 'enrich') enrich.release();
        }
        const names = events.map((e) => e.event);
        expect(names.at(-1)).toBe('outcome');
        expect(names.slice(0, -1).every((name) => name === 'progress')).toBe(true);
        const steps = events.slice(0, -1).map((e) => (e.data as RunSnapshot).progress as { currentStep: string | null });
        expect(steps[0]!.currentStep).toBe('process-internal');
        expect(steps.map((s) => s.currentStep)).toContain('enrich');
        expect(events.at(-1)!.data).toMatchObject({ workflowId: key('watched'), status: 'COMPLETED', result: { workflow: 'multiServerWorkflow' } });
      },
      { a, b },
    );
  });

  test('events: a quiet stream gets a heartbeat comment, and a client that goes away stops the watch (nothing left polling)', async () => {
    await withApi(
      async ({ api, key }) => {
        await api.call('POST', `/workflows/publish/${key('doc')}`, { data: 'Quarterly numbers', review: true });
        await waitFor(api, key('doc'), reviewPending);
        const leaving = new AbortController();
        const stream = await api.events(key('doc'), leaving.signal);
        const seen: SseMessage[] = [];
        for await (const message of stream.messages) {
          seen.push(message);
          if ('comment' in message) break;
        }
        expect(seen[0]).toMatchObject({ event: 'progress', data: { review: { state: 'pending' } } });
        expect(seen.at(-1)).toEqual({ comment: 'keep-alive' });
        const status = async () => (await api.call<{ settings: { openEventStreams: number } }>('GET', '/status')).body.settings.openEventStreams;
        expect(await status()).toBe(1);
        leaving.abort();
        // At once: the question in flight is called off with the stream, not left to run out its deadline.
        await expect.poll(status, { timeout: 1_000 }).toBe(0);
        await api.call('POST', `/workflows/${key('doc')}/cancel`);
      },
      { events: { heartbeatMs: 200 } },
    );
  });

  test('events: a stream ends at once when the API begins to stop, instead of holding the stop up', async () => {
    const stopping = new AbortController();
    await withApi(
      async ({ api, key }) => {
        await api.call('POST', `/workflows/publish/${key('doc')}`, { data: 'Quarterly numbers', review: true });
        await waitFor(api, key('doc'), reviewPending);
        const stream = await api.events(key('doc'));
        const seen: SseMessage[] = [];
        for await (const message of stream.messages) {
          seen.push(message);
          stopping.abort();
        }
        // Ended without an outcome: the run goes on, and an EventSource reconnects (to another instance).
        expect(seen.map((m) => ('event' in m ? m.event : m.comment))).toEqual(['progress']);
        await api.call('POST', `/workflows/${key('doc')}/cancel`);
      },
      { stopping: stopping.signal },
    );
  });

  describe('bad input', () => {
    // Refused before Temporal is asked: an API without a worker will do.
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApi({ temporal: connectedLink(suite.client), taskQueue: uniqueTaskQueue('api-bad-input') });
    });
    afterAll(async () => {
      await api?.close();
    });

    test.each([
      ['POST', '/workflows/nightly/k1', { data: 'x' }, 'INVALID_FIELD', 'kind'],
      ['POST', '/workflows/multi/has%20space', { data: 'x' }, 'INVALID_FIELD', 'key'],
      ['POST', `/workflows/multi/${'k'.repeat(201)}`, { data: 'x' }, 'INVALID_FIELD', 'key'],
      ['POST', '/workflows/multi/k1', {}, 'MISSING_FIELD', 'data'],
      ['POST', '/workflows/multi/k1', { data: 5 }, 'INVALID_FIELD', 'data'],
      ['POST', '/workflows/simple/k1', { data: 'x', thirdParty: {} }, 'INVALID_FIELD', 'thirdParty'],
      ['POST', '/workflows/multi/k1', { data: 'x', outageLimit: 'forever' }, 'INVALID_FIELD', 'outageLimit'],
      ['POST', '/workflows/batch/k1', { kind: 'simple', items: [] }, 'INVALID_FIELD', 'items'],
      ['POST', '/workflows/batch/k1', { kind: 'simple', items: [{ data: 1 }] }, 'INVALID_FIELD', 'items[0].data'],
      ['POST', '/workflows/multi/k1', [1], 'INVALID_BODY', undefined],
      ['POST', '/workflows/multi/k1', '{"data":', 'INVALID_JSON', undefined],
      ['GET', '/workflows/has%20space', undefined, 'INVALID_FIELD', 'key'],
      ['GET', '/workflows/has%20space/events', undefined, 'INVALID_FIELD', 'key'],
      ['GET', '/workflows?status=sleeping', undefined, 'INVALID_FIELD', 'status'],
      ['GET', '/workflows?kind=nightly', undefined, 'INVALID_FIELD', 'kind'],
      ['GET', '/workflows?limit=0', undefined, 'INVALID_FIELD', 'limit'],
      ['GET', '/workflows?stauts=Running', undefined, 'INVALID_FIELD', 'stauts'],
      ['POST', '/workflows/k1/approve', { comment: 5 }, 'INVALID_FIELD', 'comment'],
      ['POST', '/workflows/k1/approve', { reviewer: ' ' }, 'INVALID_FIELD', 'reviewer'],
      ['POST', '/workflows/k1/reject', { reviewer: 'ada', note: 'why' }, 'INVALID_FIELD', 'note'],
    ])('%s %s %j → 400 %s naming %s', async (method, path, body, code, field) => {
      const answer = await api.call<ErrorBody>(method, path, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe(code);
      expect(answer.body.error.field).toBe(field);
    });
  });

  test('a key with no run is a 404 on GET, events, approve, reject and cancel', async () => {
    await withApi(async ({ api, key }) => {
      const message = `No run with key "${key('nobody')}" in namespace "default" (a closed run is deleted once the namespace's retention has passed)`;
      for (const [method, path, body] of [
        ['GET', `/workflows/${key('nobody')}`],
        ['POST', `/workflows/${key('nobody')}/approve`, { reviewer: 'ada' }],
        ['POST', `/workflows/${key('nobody')}/reject`, { reviewer: 'ada' }],
        ['POST', `/workflows/${key('nobody')}/cancel`],
      ] as const) {
        const answer = await api.call<ErrorBody>(method, path, body);
        expect({ path, status: answer.status, body: answer.body }).toEqual({ path, status: 404, body: { error: { code: 'NOT_FOUND', message } } });
      }
      const stream = await api.events(key('nobody'));
      expect(stream.status).toBe(404);
    });
  });

  test('list: runs by kind, status and key prefix, with the visibility query it ran', async () => {
    await withApi(async ({ api, key, taskQueue }) => {
      for (const name of ['one', 'two']) await api.call('POST', `/workflows/simple/${key(name)}`, { data: 'Fresh news' });
      await api.call('POST', `/workflows/multi/${key('three')}`, { data: 'Fresh news' });
      for (const name of ['one', 'two', 'three']) await waitFor(api, key(name), closed);
      const path = `/workflows?kind=simple&status=completed&keyPrefix=${taskQueue}&limit=10`;
      // Visibility follows the runs a moment behind.
      await expect
        .poll(async () => (await api.call<RunList>('GET', path)).body.items.map((run) => run.workflowId).sort(), { timeout: 10_000 })
        .toEqual([key('one'), key('two')]);
      const { body } = await api.call<RunList>('GET', path);
      expect(body.query).toBe(`ExecutionStatus = "Completed" AND WorkflowId STARTS_WITH "${taskQueue}" AND WorkflowType = "simpleWorkflow"`);
      expect(body.items[0]).toMatchObject({ type: 'simpleWorkflow', status: 'Completed' });
    });
  });

  test("the CLI's status --json prints the same description as GET /workflows/{key}", async () => {
    await withApi(async ({ api, key, taskQueue }) => {
      await api.call('POST', `/workflows/publish/${key('doc')}`, { data: 'Fresh news' });
      const run = await waitFor(api, key('doc'), closed);
      const cli = await runNode('temporal/client.ts', ['status', key('doc'), '--json'], { ...temporalEnv(taskQueue), LOG_LEVEL: 'warn' });
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual(run);
    });
  });

  test('with Temporal away the API starts, answers /ping, and a JSON 503 naming Temporal until it connects in the background', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger('api');
    const config = loadConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_NAMESPACE: temporal.available ? temporal.namespace : 'default' });
    const link = connectInBackground(config, logger);
    const api = await startApi({ temporal: link, taskQueue: uniqueTaskQueue('api-away'), logger });
    let proxy: { close: () => void } | undefined;
    try {
      expect((await api.call('GET', '/ping')).status).toBe(200);
      const away = await api.call<ErrorBody>('GET', '/workflows/some-order');
      expect(away.status).toBe(503);
      expect(away.headers.get('retry-after')).toBe('2');
      expect(away.body.error).toEqual({
        code: 'UPSTREAM_UNAVAILABLE',
        message: `Temporal does not answer at 127.0.0.1:${port} yet; the API keeps trying to connect. Retry shortly.`,
      });
      expect((await api.call<{ settings: { temporal: string } }>('GET', '/status')).body.settings.temporal).toBe('connecting');
      expect(lines().find((line) => line.level === 40)?.msg).toBe(
        `Temporal does not answer at 127.0.0.1:${port}: answering 503 until it does, trying again every 2 s`,
      );

      // Temporal appears at that address (a proxy to the suite's server): the API finds it on its own.
      proxy = await tcpProxy(port, temporal.available ? temporal.address : '');
      await expect
        .poll(async () => (await api.call<{ settings: { temporal: string } }>('GET', '/status')).body.settings.temporal, { timeout: 15_000 })
        .toBe('connected');
      expect((await api.call('GET', '/workflows/some-order-that-never-was')).status).toBe(404);
    } finally {
      await api.close();
      await link.close();
      proxy?.close();
    }
  });

  test('every operation of the OpenAPI document was answered by the tests above, each answer as documented', async () => {
    await withApi(async ({ api }) => {
      expect((await api.call('GET', '/openapi.json')).status).toBe(200);
      expect((await api.call('GET', '/metrics')).status).toBe(200);
      // The console's sign-in (its rules are test/api-auth.test.ts's).
      expect((await api.call('POST', '/session', { token: 'tms_unknown' }, null)).status).toBe(401);
      expect((await api.call('GET', '/session')).body).toMatchObject({ name: 'ada' });
      expect((await api.call('DELETE', '/session')).status).toBe(200);
    });
    expect(documentedOperations().filter((operation) => !answeredOperations.has(operation))).toEqual([]);
  });
});

/** Forwards every connection to `port` on 127.0.0.1 to `target` (host:port), until closed. */
async function tcpProxy(port: number, target: string): Promise<{ close: () => void }> {
  const separator = target.lastIndexOf(':');
  const [host, targetPort] = [target.slice(0, separator), Number(target.slice(separator + 1))];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect({ host, port: targetPort });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => [socket, upstream].forEach((x) => x.destroy()));
      s.on('close', () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
