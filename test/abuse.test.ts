// The services under a careless or hostile client: abandoned third-party calls stop waiting and free
// their slot, calls past the in-flight bound get a 503 with a whole-number Retry-After, the 5xx answers a
// service gives on purpose are not logged as its failures, deep bodies are refused, and what Node's HTTP
// layer refuses is answered in the same JSON shape, with a request id, within set time limits.
import { connect } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, test } from 'vitest';
import { createServerAApp } from '../server-a/app.ts';
import { type HttpLimits, listen, type RunningService } from '../shared/service/serve.ts';
import type { StatusResponse } from '../shared/contract.ts';
import { createActivities } from '../temporal/activities/index.ts';
import { createServiceClients } from '../temporal/activities/service-clients.ts';
import { FailureType } from '../temporal/failure-types.ts';
import { killLeftovers, startNode } from './support/processes.ts';
import { capturingLogger, silentLogger, startServerA, startServerB, statusOf } from './support/services.ts';

const started: RunningService[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close(0)));
});

async function serverB(options: Parameters<typeof startServerB>[0]): Promise<RunningService> {
  const service = await startServerB(options);
  started.push(service);
  return service;
}

function thirdParty(service: RunningService, body: Record<string, unknown>, signal?: AbortSignal) {
  return fetch(`${service.url}/third-party-api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal && { signal }),
  });
}

describe('abandoned third-party calls', () => {
  test('a call whose client goes away stops waiting at once: it never draws its outcome and frees its slot', async () => {
    let draws = 0;
    const b = await serverB({ random: () => (draws++, 0.99), maxThirdPartyInFlight: 1 });
    const client = new AbortController();
    const call = thirdParty(b, { query: 'q', latencyMs: 1_000 }, client.signal).catch(() => 'aborted');
    await expect.poll(async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight).toBe(1);
    client.abort();
    expect(await call).toBe('aborted');
    await expect.poll(async () => (await statusOf(b)).endpoints['POST /third-party-api']).toMatchObject({ aborted: 1, inFlight: 0 });
    // The one slot is free again at once: a new call is served, not refused as saturated. Its own 1 s
    // wait began after the abandoned call's: had that one kept waiting, it would have drawn first.
    const next = await thirdParty(b, { query: 'again', latencyMs: 1_000 });
    expect(next.status).toBe(200);
    expect(draws).toBe(1);
  });
});

describe('a bound on third-party calls in flight', () => {
  test('past the bound, a call gets 503 SATURATED with a whole-number Retry-After, and the service stays responsive', async () => {
    const b = await serverB({ maxThirdPartyInFlight: 2 });
    const holding = [thirdParty(b, { query: 'a', latencyMs: 2_000 }), thirdParty(b, { query: 'b', latencyMs: 2_000 })];
    await expect.poll(async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight).toBe(2);
    const refused = await thirdParty(b, { query: 'c', latencyMs: 0 });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ error: { code: 'SATURATED', message: '2 third-party calls are already in flight; retry later' } });
    expect((await fetch(`${b.url}/ping`)).status).toBe(200);
    expect((await Promise.all(holding)).map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('logging', () => {
  test('a simulated 503 is logged as an answer at info level, not as an unhandled error', async () => {
    const capture = capturingLogger('server-b');
    const b = await serverB({ logger: capture.logger });
    const res = await thirdParty(b, { query: 'q', latencyMs: 0, failureRate: 1 });
    expect(res.status).toBe(503);
    await expect.poll(() => capture.lines().some((l) => l.msg === 'answered 503 UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(capture.lines().filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});

describe('bodies and methods', () => {
  test('a body nested deeper than 32 levels is a 400, not a 500; 32 levels are fine', async () => {
    const a = await startServerA();
    started.push(a);
    const nested = (levels: number) => `{"data":"x","metadata":{"a":${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}}`;
    const post = (body: string) => fetch(`${a.url}/process-internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const deep = await post(nested(5_000));
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({ error: { code: 'INVALID_BODY', message: 'Request body is nested deeper than 32 levels' } });
    expect((await post(nested(32))).status).toBe(200);
  });

  test('HEAD is counted under its GET route, not as unmatched', async () => {
    const b = await serverB({});
    expect((await fetch(`${b.url}/ping`, { method: 'HEAD' })).status).toBe(200);
    const endpoints = (await statusOf(b)).endpoints;
    expect(endpoints['HEAD /ping']).toMatchObject({ requests: 1, errors: 0 });
    expect(endpoints.unmatched).toBeUndefined();
  });
});

describe("answers of Node's HTTP layer", () => {
  /** Sends raw bytes and resolves with everything the server answered before closing. */
  function raw(port: number, bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += String(chunk)));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
      socket.write(bytes);
    });
  }

  async function service(limits?: Partial<HttpLimits>): Promise<RunningService> {
    const running = await listen(createServerAApp(silentLogger()), '127.0.0.1', 0, limits);
    started.push(running);
    return running;
  }

  function expectJsonError(answer: string, status: number, message: string): void {
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toMatch(/\r\nX-Request-Id: [\w-]{21}\r\n/);
    expect(head).toContain('Content-Type: application/json');
    expect(JSON.parse(body!)).toEqual({ error: { code: 'INVALID_BODY', message } });
  }

  test.each([
    ['a bad Content-Length', 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    ['a duplicate Content-Length', 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['bad header bytes', 'GET /ping HTTP/1.1\r\nHost: x\r\nBad Header: \u0001\r\n\r\n'],
  ])('%s gets a JSON 400 with a request id', async (_name, bytes) => {
    const a = await service();
    expectJsonError(await raw(a.port, bytes), 400, 'Malformed HTTP request');
  });

  test('headers that are too large get a JSON 431', async () => {
    const a = await service();
    expectJsonError(await raw(a.port, `GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'Request headers are too large');
  });

  test('a client that stalls its body is answered 408 and dropped once the request time limit passes', async () => {
    const a = await service({ headersTimeout: 300, requestTimeout: 500, connectionsCheckingInterval: 100 });
    const answer = await raw(a.port, 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"da');
    expectJsonError(answer, 408, 'The request did not arrive in time');
  });

  test('an unknown Expect gets a JSON 417', async () => {
    const a = await service();
    const answer = await raw(a.port, 'POST /validate HTTP/1.1\r\nHost: x\r\nExpect: the-moon\r\nContent-Length: 0\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 417 /);
    expect(JSON.parse(body!)).toEqual({ error: { code: 'INVALID_BODY', message: 'Expect: the-moon is not supported' } });
  });
});

describe('stopping during a long call', () => {
  test('SIGTERM during a 20 s third-party call answers it 503 SHUTTING_DOWN within the grace time, and the process exits 0', async () => {
    const b = startNode('server-b/index.ts', [], { SERVER_B_PORT: '0', SERVER_B_DB: ':memory:', LOG_LEVEL: 'info' });
    try {
      await b.waitFor('"msg":"listening"');
      const url = /"url":"([^"]+)"/.exec(b.output())![1]!;
      const call = fetch(`${url}/third-party-api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'q', latencyMs: 20_000, failureRate: 0 }),
      });
      await expect.poll(async () => ((await (await fetch(`${url}/status`)).json()) as StatusResponse).endpoints['POST /third-party-api']?.inFlight).toBe(1);
      process.kill(b.pid, 'SIGTERM');
      const answer = await call;
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(await answer.json()).toEqual({ error: { code: 'SHUTTING_DOWN', message: 'The service is stopping; retry shortly' } });
      expect(await b.exited).toBe(0);
      expect(b.output()).toContain('"msg":"stopped"');
    } finally {
      killLeftovers();
    }
  });
});

describe('service authentication', () => {
  const TOKEN = 'a-long-shared-secret-for-tests';

  test('with a shared secret configured, every endpoint but /ping needs it: 401 in the JSON shape otherwise', async () => {
    const a = await startServerA({ token: TOKEN });
    started.push(a);
    expect((await fetch(`${a.url}/ping`)).status).toBe(200);
    for (const authorization of [undefined, 'Bearer wrong-secret', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await fetch(`${a.url}/status`, { headers: authorization ? { authorization } : {} });
      expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: 'This service needs its shared secret: send Authorization: Bearer <SERVICE_TOKEN>' },
      });
    }
    // Before routing: an unknown route is not revealed as such without the secret.
    expect((await fetch(`${a.url}/nope`)).status).toBe(401);
    expect((await fetch(`${a.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  test('without one (the quick start) nothing is asked', async () => {
    const a = await startServerA();
    started.push(a);
    expect((await fetch(`${a.url}/status`)).status).toBe(200);
  });

  test("the worker's activities send the secret, and a wrong one is a non-retryable refusal", async () => {
    const a = await startServerA({ token: TOKEN });
    const b = await startServerB({ token: TOKEN });
    started.push(a, b);
    const urls = { 'server-a': a.url, 'server-b': b.url };
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const good = createActivities(createServiceClients(urls, TOKEN));
    await expect(env.run(() => good.validateData({ data: 'hello' }))).resolves.toEqual({ valid: true, errors: [] });
    const bad = createActivities(createServiceClients(urls, 'not-the-shared-secret'));
    const failure = await (env.run(() => bad.enrichData({ data: 'hello' })) as Promise<unknown>).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FailureType.rejected, nonRetryable: true });
    expect((failure as Error).message).toContain('answered HTTP 401');
  });
});
