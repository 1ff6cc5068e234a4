// The real activities, run in MockActivityEnvironment against the real services on ephemeral ports.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../shared/service/serve.ts';
import { createActivities } from '../temporal/activities/index.ts';
import { nextRetryDelay, retryAfterMs } from '../temporal/activities/classify-failure.ts';
import { FailureType } from '../temporal/failure-types.ts';
import { createServiceClients } from '../temporal/activities/service-clients.ts';
import express from 'express';
import { listen } from '../shared/service/serve.ts';
import { capturingLogger, HOST, startServerA, startServerB, statusOf } from './support/services.ts';

const logA = capturingLogger('server-a');
let serverA: RunningService;
let serverB: RunningService;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  serverA = await startServerA({ logger: logA.logger });
  serverB = await startServerB();
  activities = createActivities(createServiceClients({ 'server-a': serverA.url, 'server-b': serverB.url }));
});
afterAll(async () => {
  await serverA.close();
  await serverB.close();
});

/** An activity context whose SDK log lines (expected warnings here) stay out of the test output. */
function activityEnv(info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

/** Runs `call` inside the activity context of `env`. */
function run<T>(env: MockActivityEnvironment, call: () => Promise<T>): Promise<T> {
  return env.run(call) as Promise<T>;
}

/** Runs an activity and returns the failure it threw. */
async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('successful calls', () => {
  test('checkHealth pings the named server', async () => {
    const env = activityEnv();
    await expect(run(env, () => activities.checkHealth('server-b'))).resolves.toMatchObject({ service: 'server-b', status: 'ok' });
    await expect(run(env, () => activities.checkHealth('server-a'))).resolves.toMatchObject({ service: 'server-a', status: 'ok' });
  });

  test('validateData returns the verdict of Server A, valid or not', async () => {
    const env = activityEnv();
    await expect(run(env, () => activities.validateData({ data: 'hello world' }))).resolves.toEqual({ valid: true, errors: [] });
    await expect(run(env, () => activities.validateData({ data: '' }))).resolves.toEqual({
      valid: false,
      errors: [{ field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' }],
    });
  });

  test('processInternal, processExternal and enrichData return the services answers', async () => {
    const env = activityEnv();
    const internal = await run(env, () => activities.processInternal({ data: '  Hello   World ' }));
    expect(internal).toMatchObject({ normalized: 'hello world', wordCount: 2, characterCount: 11, processedBy: 'server-a' });
    const external = await run(env, () => activities.processExternal({ data: 'Hello World', contentHash: internal.contentHash }));
    expect(external).toMatchObject({ uniqueWords: ['hello', 'world'], contentHash: internal.contentHash, processedBy: 'server-b' });
    expect(external.reference).toMatch(/^EXT-[0-9A-F]{12}$/);
    const enrichment = await run(env, () => activities.enrichData({ data: 'hello world', reference: external.reference }));
    expect(enrichment).toMatchObject({ category: 'greeting', reference: external.reference, keywords: ['hello', 'world'] });
  });

  test('callThirdParty returns the simulated answer', async () => {
    const env = activityEnv();
    const answer = await run(env, () => activities.callThirdParty({ query: 'abc', latencyMs: 0, failureRate: 0 }));
    expect(answer).toMatchObject({ provider: 'simulated-third-party', query: 'abc', answer: { reversed: 'cba', length: 3 } });
  });

  test('every call carries the correlation headers, which the service logs', async () => {
    const env = activityEnv({
      workflowExecution: { workflowId: 'multi-server-test123', runId: 'run-456' },
      activityId: '7',
      attempt: 3,
    });
    await run(env, () => activities.validateData({ data: 'correlate me' }));
    const line = logA.lines().findLast((l) => l.path === '/validate');
    expect(line).toMatchObject({ workflowId: 'multi-server-test123', runId: 'run-456', activityId: '7', attempt: '3', status: 200 });
    expect(line?.requestId).toEqual(expect.any(String));
  });
});

describe('failures that retrying cannot fix are non-retryable', () => {
  test('a 400 names the service, endpoint, status and the service message', async () => {
    const failure = await failureOf(run(activityEnv(), () => activities.processInternal({ data: 42 as unknown as string })));
    expect(failure.type).toBe(FailureType.rejected);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('server-a POST /process-internal answered HTTP 400: "data" must be a string, got number (field "data")');
    expect(failure.details).toEqual([{ service: 'server-a', method: 'POST', path: '/process-internal', status: 400, code: 'INVALID_FIELD', field: 'data' }]);
  });

  test('a 413 for an oversized body is non-retryable', async () => {
    const failure = await failureOf(run(activityEnv(), () => activities.processInternal({ data: 'x'.repeat(70_000) })));
    expect(failure).toMatchObject({ type: FailureType.rejected, nonRetryable: true });
    expect(failure.message).toContain('answered HTTP 413');
  });

  test('a 404 (a service URL pointing at the wrong service) is non-retryable', async () => {
    const misrouted = createActivities(createServiceClients({ 'server-a': serverA.url, 'server-b': serverA.url }));
    const failure = await failureOf(run(activityEnv(), () => misrouted.enrichData({ data: 'x' })));
    expect(failure).toMatchObject({ type: FailureType.rejected, nonRetryable: true });
    expect(failure.message).toBe('server-b POST /enrich answered HTTP 404: No route POST /enrich');
  });
});

describe('failures that may go away are retryable', () => {
  test('a stopped service gives a retryable ServiceUnreachable', async () => {
    const stopped = await startServerB();
    await stopped.close();
    const dead = createActivities(createServiceClients({ 'server-a': serverA.url, 'server-b': stopped.url }));
    const failure = await failureOf(run(activityEnv(), () => dead.processExternal({ data: 'x' })));
    expect(failure).toMatchObject({ type: FailureType.unreachable, nonRetryable: false });
    expect(failure.message).toBe(`server-b POST /process-external failed: server-b is unreachable at ${stopped.url} (ECONNREFUSED)`);
  });

  test('a 503 with Retry-After is retryable and asks for that delay', async () => {
    const failure = await failureOf(run(activityEnv(), () => activities.callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1, retryAfterSeconds: 3 })));
    expect(failure).toMatchObject({ type: FailureType.serviceError, nonRetryable: false, nextRetryDelay: 3000 });
    expect(failure.message).toBe('server-b POST /third-party-api answered HTTP 503: Simulated outage; retry after 3s');
  });

  test('a 429 is retryable as rate limited, after the Retry-After delay', async () => {
    const failure = await failureOf(
      run(activityEnv(), () => activities.callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1, failureStatus: 429, retryAfterSeconds: 2 })),
    );
    expect(failure).toMatchObject({ type: FailureType.rateLimited, nonRetryable: false, nextRetryDelay: 2000 });
  });

  test('a server that accepts but never answers times out as unreachable', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const hanging = createActivities(createServiceClients({ 'server-a': url, 'server-b': url }));
      const failure = await failureOf(run(activityEnv(), () => hanging.checkHealth('server-a')));
      expect(failure).toMatchObject({ type: FailureType.unreachable, nonRetryable: false });
      expect(failure.message).toBe(`server-a GET /ping failed: server-a is unreachable at ${url} (no answer within 2000 ms)`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('configuration errors and foreign answers fail at once, naming what to fix', () => {
  /** A server that answers every request with `status`, `contentType` and `body`. */
  async function answering(status: number, contentType: string, body: string) {
    const app = express();
    app.use((_req, res) => {
      res.status(status).type(contentType).send(body);
    });
    return listen(app, HOST, 0);
  }

  test.each([
    [501, 'server-b POST /enrich answered HTTP 501: Not Implemented; check SERVER_B_URL'],
    [505, 'server-b POST /enrich answered HTTP 505: HTTP Version Not Supported; check SERVER_B_URL'],
  ])('HTTP %i is ServiceMisconfigured, not retried', async (status, message) => {
    const server = await answering(status, 'text/plain', '');
    try {
      const misrouted = createActivities(createServiceClients({ 'server-a': serverA.url, 'server-b': server.url }));
      const failure = await failureOf(run(activityEnv(), () => misrouted.enrichData({ data: 'x' })));
      expect(failure).toMatchObject({ type: FailureType.misconfigured, nonRetryable: true });
      expect(failure.message).toBe(`${message} (now "${server.url}")`);
    } finally {
      await server.close(0);
    }
  });

  test('a redirect is ServiceMisconfigured naming where it points', async () => {
    const app = express();
    app.use((_req, res) => {
      res.redirect(301, 'https://elsewhere.example/ping');
    });
    const server = await listen(app, HOST, 0);
    try {
      const moved = createActivities(createServiceClients({ 'server-a': server.url, 'server-b': serverB.url }));
      const failure = await failureOf(run(activityEnv(), () => moved.checkHealth('server-a')));
      expect(failure).toMatchObject({ type: FailureType.misconfigured, nonRetryable: true });
      expect(failure.message).toBe(
        `server-a GET /ping answered HTTP 301: Moved Permanently to https://elsewhere.example/ping; check SERVER_A_URL (now "${server.url}")`,
      );
    } finally {
      await server.close(0);
    }
  });

  test('a 200 HTML page is BadResponse, not retried', async () => {
    const server = await answering(200, 'html', '<html>login page</html>');
    try {
      const proxied = createActivities(createServiceClients({ 'server-a': server.url, 'server-b': serverB.url }));
      const failure = await failureOf(run(activityEnv(), () => proxied.validateData({ data: 'x' })));
      expect(failure).toMatchObject({ type: FailureType.badResponse, nonRetryable: true });
      expect(failure.message).toBe(
        `server-a POST /validate answered HTTP 200 (text/html; charset=utf-8) with an unexpected body: it is not JSON; is SERVER_A_URL ("${server.url}") really server-a?`,
      );
    } finally {
      await server.close(0);
    }
  });

  test('a 200 JSON answer of the wrong shape is BadResponse naming the field', async () => {
    // Server A's /ping answer where Server B's /enrich was expected: JSON, but not an enrichment.
    const server = await answering(200, 'json', JSON.stringify({ service: 'server-a', status: 'ok' }));
    try {
      const misrouted = createActivities(createServiceClients({ 'server-a': serverA.url, 'server-b': server.url }));
      const failure = await failureOf(run(activityEnv(), () => misrouted.enrichData({ data: 'x' })));
      expect(failure.type).toBe(FailureType.badResponse);
      expect(failure.message).toContain(
        'with an unexpected body: field "category" must be one of greeting, commerce, incident, question, general, got nothing; field "score" is required',
      );
    } finally {
      await server.close(0);
    }
  });

  test.each([
    ['an unknown host', 'http://no-such-host.invalid:3002', /^server-b GET \/ping cannot work: ENOTFOUND \(/],
    ['an invalid URL', 'http://bad host:3002', /^server-b GET \/ping cannot work: ERR_INVALID_URL \(/],
    ['a URL without a usable protocol', 'ftp://localhost:3002', /^server-b GET \/ping cannot work: ERR_BAD_REQUEST \(/],
  ])('%s is ServiceMisconfigured naming SERVER_B_URL', async (_name, url, pattern) => {
    const broken = createActivities(createServiceClients({ 'server-a': serverA.url, 'server-b': url }));
    const failure = await failureOf(run(activityEnv(), () => broken.checkHealth('server-b')));
    expect(failure).toMatchObject({ type: FailureType.misconfigured, nonRetryable: true });
    expect(failure.message).toMatch(pattern);
    expect(failure.message).toContain(`check SERVER_B_URL (now "${url}")`);
  });

  test('TLS to a plain-HTTP port is ServiceMisconfigured', async () => {
    const tls = createActivities(createServiceClients({ 'server-a': serverA.url.replace('http:', 'https:'), 'server-b': serverB.url }));
    const failure = await failureOf(run(activityEnv(), () => tls.checkHealth('server-a')));
    expect(failure).toMatchObject({ type: FailureType.misconfigured, nonRetryable: true });
    expect(failure.message).toContain('check SERVER_A_URL');
  });
});

describe('cancellation', () => {
  test('cancelling the activity aborts its HTTP request', async () => {
    const env = activityEnv();
    const before = (await statusOf(serverB)).endpoints['POST /third-party-api'] ?? { requests: 0, aborted: 0 };
    const call = run(env, () => activities.callThirdParty({ query: 'slow', latencyMs: 20_000, failureRate: 0 }));
    // Cancel once Server B has the request in hand, by its own record.
    await expect.poll(async () => (await statusOf(serverB)).endpoints['POST /third-party-api']?.inFlight).toBe(1);
    env.cancel('CANCELLED');
    await expect(call).rejects.toBeInstanceOf(CancelledFailure);
    // Server B saw the client go away before it answered: aborted, not answered after 20 s.
    await expect
      .poll(async () => (await statusOf(serverB)).endpoints['POST /third-party-api'])
      .toMatchObject({ requests: before.requests + 1, aborted: before.aborted + 1, inFlight: 0 });
  });
});

describe('nextRetryDelay', () => {
  test.each([
    // [Retry-After ms, attempt, expected]: the policy waits 1, 2, 4, 8, 10, 10 s after attempts 1, 2, 3, ...
    [3_000, 1, 3_000],
    [3_000, 2, 3_000],
    [3_000, 3, undefined],
    [60_000, 6, 60_000],
    [0, 1, undefined],
    [undefined, 1, undefined],
  ])('Retry-After %j after attempt %i → %j (never earlier than the backoff)', (retryAfter, attempt, expected) => {
    expect(nextRetryDelay(retryAfter, attempt)).toBe(expected);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    ['5', 5000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:07 GMT', 7000],
    ['3600', 60_000],
  ])('Retry-After %j → %i ms', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
  test.each([[undefined], [''], ['soon'], [['1', '2']]])('unreadable %j → undefined (policy backoff)', (header) => {
    expect(retryAfterMs(header, now)).toBeUndefined();
  });
});
