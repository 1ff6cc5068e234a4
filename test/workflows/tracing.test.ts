// One trace for a whole run, on a real server with the real worker setup and real services: the client's
// start is the root, the workflow and each scheduled activity are its descendants, each activity attempt
// has its own span, and each service request is the child of the attempt that sent it (traceparent).
// Client, worker and services share this process, and so one in-memory exporter sees every span.
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../../shared/service/serve.ts';
import { createTracing, type Tracing } from '../../shared/tracing/setup.ts';
import { ATTEMPT_ATTRIBUTE, clientTracing } from '../../temporal/tracing.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { startServerA, startServerB } from '../support/services.ts';
import {
  connectToTemporal,
  TEMPORAL_TAG,
  temporal,
  type TemporalConnections,
  testWorker,
  tracedWorkflowBundle,
  uniqueTaskQueue,
  workflowBundle,
} from '../support/temporal.ts';

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} traces`, { timeout: 90_000 }, () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let connections: TemporalConnections;
  const services: RunningService[] = [];

  beforeAll(async () => {
    tracing = createTracing('tracing-test', [new SimpleSpanProcessor(exporter)]);
    connections = await connectToTemporal();
    await tracedWorkflowBundle();
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.close(0)));
    await connections?.close();
    await tracing?.shutdown();
  });

  test('a run with a retried activity is one trace: StartWorkflow → RunWorkflow → StartActivity → RunActivity per attempt → the service request', async () => {
    // Server B's third party fails its first call (503), then answers: one activity, two attempts.
    let thirdPartyCalls = 0;
    const a = await startServerA();
    const b = await startServerB({ random: () => (thirdPartyCalls++ === 0 ? 0 : 1) });
    services.push(a, b);
    const serviceAt = new Map([
      [a.port, 'server-a'],
      [b.port, 'server-b'],
    ]);
    // The CLI's client: the production interceptors on the suite's connection.
    const client = new Client({ connection: connections.client.connection, namespace: connections.namespace, interceptors: clientTracing() });
    const taskQueue = uniqueTaskQueue('traces');
    const worker = await testWorker(connections, taskQueue, { 'server-a': a.url, 'server-b': b.url }, { tracing });

    const { result, history } = await worker.runUntil(async () => {
      const handle = await client.workflow.start(WORKFLOW_KINDS.multi.workflow, {
        taskQueue,
        workflowId: `traces-${taskQueue}`,
        args: [{ data: 'trace me', thirdParty: { latencyMs: 0, failureRate: 0.5, retryAfterSeconds: 0 } }],
      });
      // As the CLI polls while it waits: reads are not traced, or each poll would be a trace of its own.
      await handle.query(progressQuery);
      return { result: (await handle.result()) as MultiServerResult, history: await handle.fetchHistory() };
    });
    expect(result.thirdParty?.provider).toBe('simulated-third-party');
    expect(thirdPartyCalls).toBe(2);
    // The workflow's spans leave its sandbox through a sink, after the task that completed it.
    await expect.poll(() => exporter.getFinishedSpans().some((s) => s.name === 'RunWorkflow:multiServerWorkflow'), { timeout: 10_000 }).toBe(true);

    const spans = exporter.getFinishedSpans();
    expect(tree(spans, serviceAt)).toEqual([
      'StartWorkflow:multiServerWorkflow',
      '  RunWorkflow:multiServerWorkflow',
      '    StartActivity:validateData',
      '      RunActivity:validateData',
      '        POST /validate (server-a) 200',
      '    StartActivity:checkHealth',
      '      RunActivity:checkHealth',
      '        GET /ping (server-a) 200',
      '    StartActivity:checkHealth',
      '      RunActivity:checkHealth',
      '        GET /ping (server-b) 200',
      '    StartActivity:processInternal',
      '      RunActivity:processInternal',
      '        POST /process-internal (server-a) 200',
      '    StartActivity:processExternal',
      '      RunActivity:processExternal',
      '        POST /process-external (server-b) 200',
      '    StartActivity:enrichData',
      '      RunActivity:enrichData',
      '        POST /enrich (server-b) 200',
      '    StartActivity:callThirdParty',
      '      RunActivity:callThirdParty ERROR',
      '        POST /third-party-api (server-b) 503 ERROR',
      '      RunActivity:callThirdParty',
      '        POST /third-party-api (server-b) 200',
    ]);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);

    // The two attempts are the same activity, each its own span, in order.
    const attempts = spans.filter((s) => s.name === 'RunActivity:callThirdParty').sort(byStart);
    expect(new Set(attempts.map((s) => s.attributes.temporalActivityId)).size).toBe(1);
    expect(attempts.map((s) => s.attributes[ATTEMPT_ATTRIBUTE])).toEqual([1, 2]);
    expect(attempts.map((s) => s.parentSpanId)).toEqual([attempts[0]!.parentSpanId, attempts[0]!.parentSpanId]);
    const root = spans.find((s) => s.name === 'StartWorkflow:multiServerWorkflow')!;
    expect(root.attributes).toMatchObject({ temporalWorkflowId: `traces-${taskQueue}`, run_id: expect.any(String) });
    const request = spans.find((s) => s.name === 'POST /process-internal')!;
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/process-internal', 'http.response.status_code': 200 });

    // Turning tracing off again with such runs in flight: the traced history replays without the interceptors too.
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `traces-${taskQueue}`)).resolves.toBeUndefined();
  });
});

function byStart(x: ReadableSpan, y: ReadableSpan): number {
  return x.startTime[0] - y.startTime[0] || x.startTime[1] - y.startTime[1];
}

/**
 * The spans as an indented tree by parent span id, siblings by start time (ties, such as the two health
 * checks scheduled in one workflow task, by their subtrees), a service request labelled with the
 * service (by port), its status code, and ERROR for a failed span. A span whose parent is not among the
 * spans would be a second root, and shows as one.
 */
function tree(spans: ReadableSpan[], serviceAt: Map<number, string>): string[] {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = (parent: string | undefined) => spans.filter((s) => (s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined) === parent);
  const label = (span: ReadableSpan) => {
    const port = span.attributes['server.port'];
    const http = typeof port === 'number' ? ` (${serviceAt.get(port)}) ${String(span.attributes['http.response.status_code'])}` : '';
    return `${span.name}${http}${span.status.code === 2 ? ' ERROR' : ''}`;
  };
  const render = (span: ReadableSpan, depth: number): string[] => [
    `${'  '.repeat(depth)}${label(span)}`,
    ...children(span.spanContext().spanId)
      .map((child) => ({ child, lines: render(child, depth + 1) }))
      .sort((x, y) => byStart(x.child, y.child) || x.lines.join('\n').localeCompare(y.lines.join('\n')))
      .flatMap((x) => x.lines),
  ];
  return children(undefined)
    .sort(byStart)
    .flatMap((root) => render(root, 0));
}
