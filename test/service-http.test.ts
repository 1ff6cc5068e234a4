// The HTTP plumbing both services share: a clear JSON error for every bad request, exact routing, the
// request log, and GET /status's per-endpoint counts (bounded whatever methods and paths clients send).
import { METHODS, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { EndpointStats, ErrorBody, StatusResponse } from '../shared/contract.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { capturingLogger, startServerA, startServerB } from './support/services.ts';

type LogLine = Record<string, unknown>;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function send(base: RunningService, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base.url}${path}`, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function postJson(base: RunningService, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(base, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function postRaw(base: RunningService, path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Answer> {
  return send(base, path, { method: 'POST', headers, body });
}

const json = <T>(answer: Answer): T => JSON.parse(answer.text) as T;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const GENERATED_ID = /^[\w-]{21}$/;
const LATENCY = { p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) };
const stats = (requests: number, errors: number, aborted = 0): EndpointStats => ({ requests, errors, aborted, inFlight: 0, latencyMs: LATENCY });

describe('request errors', () => {
  let a: RunningService;
  let b: RunningService;

  beforeAll(async () => {
    [a, b] = await Promise.all([startServerA(), startServerB()]);
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const server = (name: 'A' | 'B') => (name === 'A' ? a : b);

  test.each(['/PING', '/ping/'])('paths are exact: %s is not /ping, so 404', async (path) => {
    const res = await fetch(`${a.url}${path}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `No route GET ${path}` } });
  });

  describe('body', () => {
    test.each([
      ['A', '/validate'],
      ['B', '/enrich'],
    ] as const)('malformed JSON on server %s %s is a 400 INVALID_JSON', async (name, path) => {
      const res = await postRaw(server(name), path, '{"data": "unterminated', { 'content-type': 'application/json' });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: { code: 'INVALID_JSON', message: 'Request body is not valid JSON' } });
    });

    test.each(['"just a string"', '42', 'null', 'true'])('valid JSON that is not an object (%s) is INVALID_BODY, not INVALID_JSON', async (body) => {
      const res = await postRaw(a, '/validate', body, { 'content-type': 'application/json' });

      expect(res.status).toBe(400);
      expect(json<ErrorBody>(res).error).toEqual({
        code: 'INVALID_BODY',
        message: 'Request body must be a JSON object sent with Content-Type: application/json',
      });
    });

    test('routing comes before the body: broken JSON to an unknown route is a 404, to a wrong method a 405', async () => {
      const unknown = await postRaw(a, '/nope', '{broken', { 'content-type': 'application/json' });
      expect(unknown.status).toBe(404);
      expect(json<ErrorBody>(unknown).error.code).toBe('NOT_FOUND');
      const wrongMethod = await postRaw(a, '/ping', '{broken', { 'content-type': 'application/json' });
      expect(wrongMethod.status).toBe(405);
      expect(json<ErrorBody>(wrongMethod).error.code).toBe('METHOD_NOT_ALLOWED');
    });

    const INVALID_BODY = {
      error: { code: 'INVALID_BODY', message: 'Request body must be a JSON object sent with Content-Type: application/json' },
    };

    test('a JSON array is a 400 INVALID_BODY', async () => {
      const res = await postJson(a, '/process-internal', [{ data: 'x' }]);

      expect(res.status).toBe(400);
      expect(json(res)).toEqual(INVALID_BODY);
    });

    test('a JSON body sent as text/plain is a 400 INVALID_BODY', async () => {
      const res = await postRaw(b, '/process-external', JSON.stringify({ data: 'x' }), { 'content-type': 'text/plain' });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual(INVALID_BODY);
    });

    test('no body at all is a 400 INVALID_BODY', async () => {
      const res = await send(a, '/validate', { method: 'POST' });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual(INVALID_BODY);
    });

    test('a charset other than UTF-8 is a 400 INVALID_BODY', async () => {
      const res = await postRaw(a, '/validate', '{"data":"x"}', { 'content-type': 'application/json; charset=latin1' });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: { code: 'INVALID_BODY', message: 'Request body must be UTF-8 JSON' } });
    });

    test('a gzip-encoded JSON body is accepted', async () => {
      const res = await postRaw(a, '/validate', gzipSync(JSON.stringify({ data: 'compressed' })), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });

      expect(res.status).toBe(200);
      expect(json(res)).toEqual({ valid: true, errors: [] });
    });

    test('a body that claims gzip but is not is a 400 INVALID_BODY, not a 500', async () => {
      const res = await postRaw(a, '/validate', '{"data":"x"}', { 'content-type': 'application/json', 'content-encoding': 'gzip' });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: { code: 'INVALID_BODY', message: 'Request body could not be read' } });
    });
  });

  describe('fields', () => {
    const dataEndpoints = [
      ['A', '/validate'],
      ['A', '/process-internal'],
      ['B', '/process-external'],
      ['B', '/enrich'],
    ] as const;

    test.each(dataEndpoints)('server %s %s: missing data is a 400 MISSING_FIELD naming "data"', async (name, path) => {
      const res = await postJson(server(name), path, { metadata: {} });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: { code: 'MISSING_FIELD', message: '"data" is required', field: 'data' } });
    });

    test.each(dataEndpoints)('server %s %s: data that is a number is a 400 INVALID_FIELD naming "data"', async (name, path) => {
      const res = await postJson(server(name), path, { data: 42 });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: { code: 'INVALID_FIELD', message: '"data" must be a string, got number', field: 'data' } });
    });

    test.each([
      [null, 'null'],
      [['x'], 'array'],
      [{ text: 'x' }, 'object'],
      [true, 'boolean'],
    ])('data = %j is reported as "got %s"', async (value, typeName) => {
      const res = await postJson(a, '/validate', { data: value });

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: { code: 'INVALID_FIELD', message: `"data" must be a string, got ${typeName}`, field: 'data' } });
    });
  });

  describe('body size', () => {
    const LIMIT = 64 * 1024;
    const bodyOfBytes = (bytes: number) => {
      const text = JSON.stringify({ data: 'a'.repeat(bytes - JSON.stringify({ data: '' }).length) });
      expect(Buffer.byteLength(text)).toBe(bytes);
      return text;
    };

    test('a body of exactly 64 KiB is accepted', async () => {
      const res = await postRaw(a, '/validate', bodyOfBytes(LIMIT), { 'content-type': 'application/json' });

      expect(res.status).toBe(200);
      expect(json(res)).toEqual({
        valid: false,
        errors: [{ field: 'data', code: 'TOO_LONG', message: `data is ${LIMIT - 11} characters long; the limit is 1000` }],
      });
    });

    test.each(['A', 'B'] as const)('one byte over 64 KiB on server %s is a 413 PAYLOAD_TOO_LARGE', async (name) => {
      const res = await postRaw(server(name), name === 'A' ? '/validate' : '/enrich', bodyOfBytes(LIMIT + 1), {
        'content-type': 'application/json',
      });

      expect(res.status).toBe(413);
      expect(json(res)).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the 64 KiB limit' } });
    });
  });

  describe('routing', () => {
    test('an unknown route is a 404 NOT_FOUND', async () => {
      const res = await send(a, '/nope');

      expect(res.status).toBe(404);
      expect(json(res)).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /nope' } });
    });

    test('a route of the other service is a 404 NOT_FOUND', async () => {
      const res = await postJson(a, '/enrich', { data: 'x' });

      expect(res.status).toBe(404);
      expect(json(res)).toEqual({ error: { code: 'NOT_FOUND', message: 'No route POST /enrich' } });
    });

    test.each([
      ['A', 'GET', '/validate', 'POST'],
      ['A', 'PUT', '/process-internal', 'POST'],
      ['A', 'DELETE', '/ping', 'GET, HEAD'],
      ['B', 'POST', '/status', 'GET, HEAD'],
      ['A', 'PUT', '/metrics', 'GET, HEAD'],
      ['B', 'GET', '/third-party-api', 'POST'],
    ] as const)('server %s: %s %s is a 405 with Allow: %s', async (name, method, path, allow) => {
      const res = await send(server(name), path, { method });

      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(json(res)).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${path}; use ${allow}` } });
    });

    test('HEAD is answered on a GET route', async () => {
      const res = await send(b, '/ping', { method: 'HEAD' });

      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    });
  });

  describe('error body shape', () => {
    const cases: Array<[string, 'A' | 'B', string, RequestInit, number]> = [
      ['INVALID_JSON', 'A', '/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }, 400],
      ['INVALID_BODY', 'B', '/enrich', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }, 400],
      ['MISSING_FIELD', 'B', '/third-party-api', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 400],
      ['INVALID_FIELD', 'A', '/process-internal', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":1}' }, 400],
      [
        'PAYLOAD_TOO_LARGE',
        'A',
        '/validate',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: 'x'.repeat(70_000) }) },
        413,
      ],
      ['NOT_FOUND', 'B', '/missing/deeper', { method: 'GET' }, 404],
      ['METHOD_NOT_ALLOWED', 'A', '/validate', { method: 'PATCH' }, 405],
      [
        'UPSTREAM_UNAVAILABLE',
        'B',
        '/third-party-api',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"q","failureRate":1}' },
        503,
      ],
      [
        'RATE_LIMITED',
        'B',
        '/third-party-api',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"q","failureRate":1,"failureStatus":429}' },
        429,
      ],
    ];

    test.each(cases)('%s is exactly { error: { code, message, field? } } without a stack trace', async (code, name, path, init, status) => {
      const res = await send(server(name), path, init);
      const body = json<{ error: Record<string, unknown> }>(res);

      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toEqual(expect.any(String));
      expect(Object.keys(body.error).sort()).toEqual('field' in body.error ? ['code', 'field', 'message'] : ['code', 'message']);
      if ('field' in body.error) expect(body.error.field).toEqual(expect.any(String));
      expect(res.text).not.toMatch(/stack|\n\s+at |node_modules|\.ts:\d+/);
    });
  });

  describe('X-Request-Id', () => {
    test('a valid incoming id is echoed', async () => {
      const id = 'wf-123:run/abc.def_1';

      const res = await send(a, '/ping', { headers: { 'x-request-id': id } });

      expect(res.headers.get('x-request-id')).toBe(id);
    });

    test('an id of exactly 128 characters is echoed', async () => {
      const id = 'r'.repeat(128);

      const res = await send(a, '/ping', { headers: { 'x-request-id': id } });

      expect(res.headers.get('x-request-id')).toBe(id);
    });

    test.each([
      ['129 characters', 'r'.repeat(129)],
      ['200 characters', 'x'.repeat(200)],
      ['spaces', 'has spaces in it'],
      ['markup', '<script>'],
    ])('an id with %s is replaced by a generated one', async (_, id) => {
      const res = await send(b, '/ping', { headers: { 'x-request-id': id } });

      const echoed = res.headers.get('x-request-id');
      expect(echoed).not.toBe(id);
      expect(echoed).toMatch(GENERATED_ID);
    });

    test('without the header each request gets its own generated id', async () => {
      const first = await send(a, '/ping');
      const second = await send(a, '/ping');

      expect(first.headers.get('x-request-id')).toMatch(GENERATED_ID);
      expect(second.headers.get('x-request-id')).toMatch(GENERATED_ID);
      expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    });

    test('error answers carry the id too', async () => {
      const res = await send(b, '/nope', { headers: { 'x-request-id': 'err-1' } });

      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBe('err-1');
    });
  });
});

describe('per-request log and GET /status', () => {
  const running: RunningService[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
  });

  async function start(
    which: 'A' | 'B',
    thirdParty?: { latencyMs?: number; failureRate?: number },
  ): Promise<{ service: RunningService; lines: () => LogLine[] }> {
    const capture = capturingLogger();
    const service =
      which === 'A' ? await startServerA({ logger: capture.logger }) : await startServerB({ logger: capture.logger, ...(thirdParty ? { thirdParty } : {}) });
    running.push(service);
    return { service, lines: capture.lines };
  }

  const requestLine = (fields: LogLine): LogLine => ({
    level: 30,
    time: expect.any(String),
    service: 'test',
    durationMs: expect.any(Number),
    msg: 'request',
    ...fields,
  });

  describe('request log', () => {
    test('a request writes exactly one line with requestId, method, path, status and durationMs', async () => {
      const { service, lines } = await start('A');

      const first = await postJson(service, '/validate', { data: 'hello' }, { 'x-request-id': 'first-request' });
      await until(() => lines().length >= 1);
      const second = await send(service, '/ping?verbose=1');
      await until(() => lines().length >= 2);

      expect(first.status).toBe(200);
      expect(lines()).toEqual([
        requestLine({ requestId: 'first-request', method: 'POST', path: '/validate', status: 200 }),
        requestLine({ requestId: second.headers.get('x-request-id'), method: 'GET', path: '/ping', status: 200 }),
      ]);
      expect(lines()[0]?.durationMs).toBeGreaterThanOrEqual(0);
    });

    test('correlation headers are added to the line', async () => {
      const { service, lines } = await start('B');

      await postJson(
        service,
        '/enrich',
        { data: 'hello' },
        { 'x-request-id': 'req-7', 'x-workflow-id': 'wf-42', 'x-run-id': 'run-abc', 'x-activity-id': '3', 'x-activity-attempt': '2' },
      );
      await until(() => lines().length >= 1);

      expect(lines()).toEqual([
        requestLine({
          requestId: 'req-7',
          method: 'POST',
          path: '/enrich',
          status: 200,
          workflowId: 'wf-42',
          runId: 'run-abc',
          activityId: '3',
          attempt: '2',
        }),
      ]);
    });

    test('a correlation value is cut to 200 characters', async () => {
      const { service, lines } = await start('A');

      await send(service, '/ping', { headers: { 'x-workflow-id': 'w'.repeat(300) } });
      await until(() => lines().length >= 1);

      expect(lines()[0]?.workflowId).toBe('w'.repeat(200));
    });

    test('error answers are logged once with their status', async () => {
      const { service, lines } = await start('A');

      const notFound = await send(service, '/nope');
      await until(() => lines().length >= 1);
      const badJson = await postRaw(service, '/process-internal', '{', { 'content-type': 'application/json' });
      await until(() => lines().length >= 2);
      const badGzip = await postRaw(service, '/validate', 'plain', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      await until(() => lines().length >= 3);

      expect(lines()).toEqual([
        requestLine({ requestId: notFound.headers.get('x-request-id'), method: 'GET', path: '/nope', status: 404 }),
        requestLine({ requestId: badJson.headers.get('x-request-id'), method: 'POST', path: '/process-internal', status: 400 }),
        requestLine({ requestId: badGzip.headers.get('x-request-id'), method: 'POST', path: '/validate', status: 400 }),
      ]);
    });
  });

  describe('GET /status', () => {
    test('server A counts requests and errors per endpoint, a wrong method under its path, and unknown routes as "unmatched"', async () => {
      const { service, lines } = await start('A');

      await send(service, '/ping');
      await postJson(service, '/validate', { data: 'fine' });
      await postJson(service, '/validate', { data: '' });
      await postRaw(service, '/validate', 'not json', { 'content-type': 'application/json' });
      await send(service, '/nope');
      await send(service, '/ping', { method: 'DELETE' });
      await until(() => lines().length >= 6);

      const before = Date.now();
      const status = json<StatusResponse>(await send(service, '/status'));

      expect(status).toEqual({
        service: 'server-a',
        version: expect.any(String),
        startedAt: expect.any(String),
        uptimeSeconds: expect.any(Number),
        memory: { rssBytes: expect.any(Number), heapUsedBytes: expect.any(Number) },
        endpoints: {
          'GET /ping': stats(1, 0),
          'POST /validate': stats(3, 1),
          // Its 405 is counted under the path it was sent to; only the unknown route is unmatched.
          'DELETE /ping': stats(1, 1),
          unmatched: stats(1, 1),
          // The snapshot is taken while this very request is being answered.
          'GET /status': { ...stats(0, 0), inFlight: 1 },
        },
        settings: { maxDataLength: 1000, maxMetadataKeys: 20, bodyLimitBytes: 65536 },
      });
      expect(Date.parse(status.startedAt)).toBeLessThanOrEqual(before);
      expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(status.memory.rssBytes).toBeGreaterThan(0);
      expect(status.memory.heapUsedBytes).toBeGreaterThan(0);
      for (const { latencyMs } of Object.values(status.endpoints)) {
        expect(latencyMs.p50).toBeGreaterThanOrEqual(0);
        expect(latencyMs.p50).toBeLessThanOrEqual(latencyMs.p90);
        expect(latencyMs.p90).toBeLessThanOrEqual(latencyMs.p99);
        expect(latencyMs.p99).toBeLessThanOrEqual(latencyMs.max);
      }
    });

    test.each(['A', 'B'] as const)(
      'server %s: every HTTP method on every route adds a bounded number of /status keys, each answer a 404 or 405 JSON error',
      async (which) => {
        const { service } = await start(which);
        const own = which === 'A' ? ['/validate', '/process-internal', '/records'] : ['/process-external', '/enrich', '/third-party-api', '/publications'];
        const routes = ['/ping', '/status', '/metrics', '/nope', ...own, `${own.at(-1)}/x1`, `${own.at(-1)}/x1/${which === 'A' ? 'commit' : 'confirm'}`];
        // Every method Node parses (CONNECT opens a tunnel, not a request: Node itself drops it).
        const methods = METHODS.filter((m) => m !== 'CONNECT');
        const answers = await Promise.all(routes.flatMap((path) => methods.map((method) => raw(service, method, path))));
        for (const answer of answers.filter((a) => a.status === 404 || a.status === 405)) {
          if (answer.method !== 'HEAD')
            expect(JSON.parse(answer.body), `${answer.method} ${answer.path}`).toMatchObject({ error: { code: expect.any(String) } });
        }
        expect(answers.filter((a) => ![200, 201, 400, 404, 405, 409].includes(a.status))).toEqual([]);

        const keys = Object.keys(json<StatusResponse>(await send(service, '/status')).endpoints);
        // At most the methods the routes use (GET, HEAD, POST, DELETE) on each path, plus "unmatched" and "unknown-method".
        expect(keys.length).toBeLessThanOrEqual(4 * routes.length + 2);
        expect(keys).toContain('unknown-method');
        expect(keys.filter((k) => /^(ACL|BIND|PROPFIND|PUT|PATCH|OPTIONS) /.test(k))).toEqual([]);
      },
    );

    test('the /status call itself shows up in the next snapshot', async () => {
      const { service, lines } = await start('A');

      await send(service, '/status');
      await until(() => lines().length >= 1);
      const status = json<StatusResponse>(await send(service, '/status'));

      expect(status.endpoints).toEqual({ 'GET /status': { ...stats(1, 0), inFlight: 1 } });
    });

    test('latency percentiles reflect a slow endpoint', async () => {
      const { service, lines } = await start('B');

      await postJson(service, '/third-party-api', { query: 'q', latencyMs: 100 });
      await until(() => lines().length >= 1);
      const status = json<StatusResponse>(await send(service, '/status'));

      expect(status.endpoints['POST /third-party-api']).toEqual(stats(1, 0));
      // Node timers may fire a fraction of a millisecond early against performance.now(): allow a little.
      expect(status.endpoints['POST /third-party-api']?.latencyMs.max).toBeGreaterThanOrEqual(95);
      expect(status.endpoints['POST /third-party-api']?.latencyMs.p50).toBe(status.endpoints['POST /third-party-api']?.latencyMs.max);
    });

    test('server B shows its third-party settings and counts simulated failures as errors', async () => {
      const { service, lines } = await start('B', { latencyMs: 250, failureRate: 0.4 });

      await postJson(service, '/third-party-api', { query: 'q', latencyMs: 0, failureRate: 0 });
      await postJson(service, '/third-party-api', { query: 'q', latencyMs: 0, failureRate: 1 });
      await postJson(service, '/third-party-api', { query: 'q', latencyMs: 0, failureRate: 1, failureStatus: 429 });
      await postJson(service, '/process-external', { data: 'x' });
      await until(() => lines().length >= 4);
      const status = json<StatusResponse>(await send(service, '/status'));

      expect(status.service).toBe('server-b');
      expect(status.settings).toEqual({ thirdPartyLatencyMs: 250, thirdPartyFailureRate: 0.4, maxThirdPartyInFlight: 256, bodyLimitBytes: 65536 });
      expect(status.endpoints).toEqual({
        'POST /process-external': stats(1, 0),
        'POST /third-party-api': stats(3, 2),
        'GET /status': { ...stats(0, 0), inFlight: 1 },
      });
    });

    test('a client that aborts a slow third-party call is counted as aborted and logged as a warning', async () => {
      const { service, lines } = await start('B');
      const controller = new AbortController();

      const pending = fetch(`${service.url}/third-party-api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'gave-up' },
        body: JSON.stringify({ query: 'slow', latencyMs: 5_000, failureRate: 0 }),
        signal: controller.signal,
      });
      await until(async () => json<StatusResponse>(await send(service, '/status')).endpoints['POST /third-party-api']?.inFlight === 1);
      controller.abort();

      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      const gaveUp = () => lines().find((l) => l.requestId === 'gave-up');
      await until(() => gaveUp() !== undefined);
      const status = json<StatusResponse>(await send(service, '/status'));

      expect(status.endpoints['POST /third-party-api']).toEqual(stats(1, 0, 1));
      expect(gaveUp()).toEqual({
        level: 40,
        time: expect.any(String),
        service: 'test',
        requestId: 'gave-up',
        method: 'POST',
        path: '/third-party-api',
        status: null,
        durationMs: expect.any(Number),
        aborted: true,
        msg: 'client closed the connection before the answer',
      });
    });
  });
});

/** One request with any method Node knows (fetch refuses some, e.g. TRACE); its status and body. */
function raw(service: RunningService, method: string, path: string): Promise<{ method: string; path: string; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${service.url}${path}`, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ method, path, status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
