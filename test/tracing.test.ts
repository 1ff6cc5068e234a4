// Traces without a Temporal server: the services' request spans and what makes them children of the
// caller's span, the outputs TRACES and OTEL_EXPORTER_OTLP_ENDPOINT choose, and the proof that turning
// tracing on cannot break runs in flight: every recorded history replays with the SDK's workflow
// interceptors bundled in. test/workflows/tracing.test.ts checks a whole run's trace on a real server.
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { context, propagation, trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pickTrace, renderTrace } from '../scripts/trace-tree.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { consoleExporter, type SpanLine } from '../shared/tracing/line-exporter.ts';
import { createTracing, describeTraces, startTracing, type Tracing, tracingProcessors } from '../shared/tracing/setup.ts';
import { TRACING_WORKFLOW_MODULE, workerTracing } from '../temporal/tracing.ts';
import { WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from '../temporal/worker/create-worker.ts';
import { HISTORY_FILES, replayInputs } from './support/histories.ts';
import { call, startServerA, startServerB } from './support/services.ts';

const OFF = { console: false, file: undefined, otlpEndpoint: undefined };
const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(() => {
  // This process's provider, as a service's index.ts registers one (with the in-memory exporter instead).
  tracing = createTracing('tracing-unit-test', [new SimpleSpanProcessor(exporter)]);
});
afterAll(() => tracing.shutdown());

/** The headers that carry the active span, as callService sends them. */
function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** A caller's span, as an activity's RunActivity span would be, and the headers that carry it. */
function callerSpan() {
  const span = trace.getTracer('test').startSpan('caller');
  const headers = context.with(trace.setSpan(context.active(), span), traceHeaders);
  span.end();
  return { ...span.spanContext(), headers };
}

async function requestSpans(service: RunningService, method: string, path: string, options: Parameters<typeof call>[3] = {}) {
  exporter.reset();
  const answer = await call(service, method, path, options);
  // The span ends when the answer's connection closes, just after the client has read it.
  await expect.poll(() => exporter.getFinishedSpans().length).toBeGreaterThan(0);
  return { status: answer.status, spans: exporter.getFinishedSpans() };
}

describe('trace context propagation', () => {
  test('carries the active span as W3C traceparent, and nothing outside a span', () => {
    const caller = callerSpan();
    expect(caller.headers).toEqual({ traceparent: `00-${caller.traceId}-${caller.spanId}-01` });
    expect(traceHeaders()).toEqual({});
  });
});

describe("the services' request spans", () => {
  let a: RunningService;
  let b: RunningService;
  beforeAll(async () => {
    [a, b] = await Promise.all([startServerA({ token: 'a-long-shared-secret' }), startServerB()]);
  });
  afterAll(() => Promise.all([a.close(0), b.close(0)]));

  test('a request with a traceparent is a SERVER span, child of the caller, named by its route', async () => {
    const caller = callerSpan();
    const { status, spans } = await requestSpans(b, 'POST', '/process-external', { body: { data: 'hello' }, headers: caller.headers });
    expect(status).toBe(200);
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.spanContext().traceId).toBe(caller.traceId);
    expect(span!.parentSpanId).toBe(caller.spanId);
    expect(span!.name).toBe('POST /process-external');
    expect(span!.kind).toBe(1); // SpanKind.SERVER
    expect(span!.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/process-external',
      'url.path': '/process-external',
      'url.scheme': 'http',
      'server.port': b.port,
      'http.response.status_code': 200,
    });
    expect(span!.status.code).toBe(0); // UNSET
  });

  test('a route with an id is named by its pattern', async () => {
    const { spans } = await requestSpans(b, 'GET', '/publications/pub-unknown', { headers: callerSpan().headers });
    expect(spans.map((s) => [s.name, s.attributes['url.path'], s.attributes['http.response.status_code']])).toEqual([
      ['GET /publications/:id', '/publications/pub-unknown', 404],
    ]);
  });

  test('a 5xx answer is an error span; a 4xx is not', async () => {
    const failed = await requestSpans(b, 'POST', '/third-party-api', { body: { query: 'x', latencyMs: 0, failureRate: 1 }, headers: callerSpan().headers });
    expect(failed.status).toBe(503);
    expect(failed.spans.map((s) => [s.status, s.attributes['error.type']])).toEqual([[{ code: 2, message: 'answered 503' }, '503']]);

    const refused = await requestSpans(a, 'POST', '/validate', { body: { data: 'x' }, headers: callerSpan().headers });
    expect(refused.status).toBe(401);
    expect(refused.spans.map((s) => [s.name, s.status.code, s.attributes['http.response.status_code']])).toEqual([['POST /validate', 0, 401]]);
  });

  test('a request the client gives up on is an error span, ended when the connection closes', async () => {
    const { headers } = callerSpan();
    exporter.reset();
    const aborted = fetch(`${b.url}/third-party-api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: 'slow', latencyMs: 5_000, failureRate: 0 }),
      signal: AbortSignal.timeout(200),
    });
    await expect(aborted).rejects.toThrow();
    await expect
      .poll(() => exporter.getFinishedSpans().map((s) => [s.name, s.status, s.attributes['http.response.status_code']]))
      .toEqual([['POST /third-party-api', { code: 2, message: 'the client closed the connection before the answer' }, undefined]]);
  });

  test('an unknown path is named by its method only; without a traceparent a request starts its own trace', async () => {
    const { status, spans } = await requestSpans(b, 'GET', '/no-such-route');
    expect(status).toBe(404);
    expect(spans.map((s) => [s.name, s.parentSpanId, s.attributes['http.route']])).toEqual([['GET', undefined, undefined]]);
  });

  test('a probe (/ping, /status) is traced only as part of a trace: health checks of a run, not every poll', async () => {
    exporter.reset();
    await call(b, 'GET', '/ping');
    await call(b, 'GET', '/status');
    const { spans } = await requestSpans(b, 'GET', '/ping', { headers: callerSpan().headers });
    expect(spans.map((s) => s.name)).toEqual(['GET /ping']);
  });
});

describe('outputs', () => {
  test('nothing is registered while TRACES is off and no OTLP endpoint is set', () => {
    expect(tracingProcessors(OFF)).toEqual([]);
    expect(startTracing('worker', OFF)).toBeUndefined();
    expect(describeTraces(OFF)).toBe('off');
    expect(describeTraces({ console: false, file: '.data/t.jsonl', otlpEndpoint: 'http://localhost:4318' })).toBe(
      'file:.data/t.jsonl, otlp http://localhost:4318',
    );
  });

  /** Spans of a parent and a child, ended through `processors` under `service`. */
  async function emit(service: string, processors: ReturnType<typeof tracingProcessors>) {
    const provider = new BasicTracerProvider({ resource: new Resource({ 'service.name': service }), spanProcessors: processors });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', { attributes: { step: 'one' } }, trace.setSpan(context.active(), parent));
    child.setStatus({ code: 2, message: 'went wrong\nsecond line' });
    child.end();
    parent.end();
    await provider.shutdown();
    return { traceId: parent.spanContext().traceId, parentId: parent.spanContext().spanId, childId: child.spanContext().spanId };
  }

  test('TRACES=file:<path> appends one JSON line per span, which several processes can share', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'traces-file-'));
    try {
      const path = join(dir, 'nested', 'traces.jsonl');
      const first = await emit('server-a', tracingProcessors({ ...OFF, file: path }));
      await emit('worker', tracingProcessors({ ...OFF, file: path }));
      const lines = readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as SpanLine);
      expect(lines.map((l) => [l.service, l.name])).toEqual([
        ['server-a', 'child'],
        ['server-a', 'parent'],
        ['worker', 'child'],
        ['worker', 'parent'],
      ]);
      expect(lines[0]).toEqual({
        traceId: first.traceId,
        spanId: first.childId,
        parentSpanId: first.parentId,
        service: 'server-a',
        name: 'child',
        kind: 'INTERNAL',
        start: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        durationMs: expect.any(Number),
        status: 'ERROR',
        statusMessage: 'went wrong\nsecond line',
        attributes: { step: 'one' },
      });
      expect(lines[1]).not.toHaveProperty('parentSpanId');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('TRACES=console writes one readable line per span to stderr', async () => {
    const stream = new PassThrough();
    const ids = await emit('server-b', [new SimpleSpanProcessor(consoleExporter(stream))]);
    expect(String(stream.read()).split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^trace ${ids.traceId} span ${ids.childId} ← ${ids.parentId} server-b child [\\d.]+ ms ERROR went wrong$`)),
      expect.stringMatching(new RegExp(`^trace ${ids.traceId} span ${ids.parentId} ← root server-b parent [\\d.]+ ms$`)),
      '',
    ]);
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT sends the spans as OTLP/HTTP to <endpoint>/v1/traces', async () => {
    const received: Array<{ path: string | undefined; type: string | undefined; body: string }> = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const ids = await emit('worker', tracingProcessors({ ...OFF, otlpEndpoint: endpoint }));
      expect(received.map((r) => [r.path, r.type])).toEqual([['/v1/traces', 'application/json']]);
      const payload = JSON.parse(received[0]!.body) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{ spans: Array<{ name: string; traceId: string }> }>;
        }>;
      };
      const [resourceSpans] = payload.resourceSpans;
      expect(resourceSpans!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'worker' } });
      expect(resourceSpans!.scopeSpans.flatMap((s) => s.spans.map((span) => [span.name, span.traceId]))).toEqual([
        ['child', ids.traceId],
        ['parent', ids.traceId],
      ]);
    } finally {
      receiver.close();
    }
  });
});

describe('scripts/trace-tree.ts', () => {
  const span = (spanId: string, parentSpanId: string | undefined, service: string, name: string, start: number, extra: Partial<SpanLine> = {}): SpanLine => ({
    traceId: 'a'.repeat(32),
    spanId,
    ...(parentSpanId && { parentSpanId }),
    service,
    name,
    kind: 'INTERNAL',
    start: new Date(Date.UTC(2025, 0, 1, 0, 0, start)).toISOString(),
    durationMs: 10,
    status: 'UNSET',
    attributes: {},
    ...extra,
  });
  const spans = [
    span('5', '4', 'server-b', 'POST /third-party-api', 4, {
      status: 'ERROR',
      statusMessage: 'answered 503',
      attributes: { 'http.response.status_code': 503 },
    }),
    span('1', undefined, 'client', 'StartWorkflow:multiServerWorkflow', 0),
    span('2', '1', 'worker', 'RunWorkflow:multiServerWorkflow', 1),
    span('3', '2', 'worker', 'StartActivity:callThirdParty', 2),
    span('4', '3', 'worker', 'RunActivity:callThirdParty', 3, {
      status: 'ERROR',
      statusMessage: 'server-b answered HTTP 503\nmore',
      attributes: { temporalActivityAttempt: 1 },
    }),
    span('6', '3', 'worker', 'RunActivity:callThirdParty', 5, { attributes: { temporalActivityAttempt: 2 } }),
    span('7', '6', 'server-b', 'POST /third-party-api', 6, { attributes: { 'http.response.status_code': 200 } }),
    span('9', 'gone', 'worker', 'RunWorkflow:multiServerWorkflow', 7),
    { ...span('8', undefined, 'server-a', 'GET /status', 9), traceId: 'b'.repeat(32) },
  ];

  test('prints the latest trace with a workflow start as a tree, children by start time, a span without its parent as a root', () => {
    expect(pickTrace(spans).map((s) => s.spanId)).toEqual(['5', '1', '2', '3', '4', '6', '7', '9']);
    expect(pickTrace(spans, 'bbb').map((s) => s.spanId)).toEqual(['8']);
    expect(renderTrace(pickTrace(spans))).toEqual([
      `trace ${'a'.repeat(32)}: 8 spans from server-b, client, worker`,
      'StartWorkflow:multiServerWorkflow    client         10 ms',
      '└─ RunWorkflow:multiServerWorkflow   worker         10 ms',
      '   └─ StartActivity:callThirdParty   worker         10 ms',
      '      ├─ RunActivity:callThirdParty  worker         10 ms  attempt 1  ERROR: server-b answered HTTP 503',
      '      │  └─ POST /third-party-api    server-b       10 ms  → 503  ERROR: answered 503',
      '      └─ RunActivity:callThirdParty  worker         10 ms  attempt 2',
      '         └─ POST /third-party-api    server-b       10 ms  → 200',
      'RunWorkflow:multiServerWorkflow      worker         10 ms',
    ]);
  });
});

describe('turning tracing on with runs in flight', () => {
  test('every recorded history replays with the SDK workflow interceptors bundled in, and replaying exports no span', { timeout: 180_000 }, async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: [WORKFLOW_INTERCEPTORS, TRACING_WORKFLOW_MODULE],
      logger: new DefaultLogger('ERROR'),
    });
    // The interceptors really are in the bundle (a boolean: a failed toContain would print all of it).
    expect(workflowBundle.code.includes('interceptors-opentelemetry/lib/workflow-interceptors.js')).toBe(true);
    const files = HISTORY_FILES;
    const histories = replayInputs(files);
    const replayed = new InMemorySpanExporter();
    const options = { workflowBundle, ...workerTracing({ resource: tracing.resource, spanProcessor: new SimpleSpanProcessor(replayed) }) };
    const errors: Array<[string, string | undefined]> = [];
    for await (const result of Worker.runReplayHistories(options, histories)) errors.push([files[errors.length]!, result.error?.message]);
    expect(errors).toEqual(files.map((file) => [file, undefined]));
    expect(replayed.getFinishedSpans()).toEqual([]);
  });
});
