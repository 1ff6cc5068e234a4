// Proves the circuit breaker opens on outages only, fails fast while open, closes on a good probe, and reports it.
// callService in an activity context against a real Server B made to fail; log lines through the SDK runtime's
// logger and metrics on the runtime's Prometheus endpoint, installed as the worker installs them (no Temporal
// server needed). Last, how the CLI shows a run that took a fallback.
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../shared/service/serve.ts';
import { EnrichResponse } from '../server-b/contract.ts';
import { callService } from '../temporal/activities/call-service.ts';
import { createActivities } from '../temporal/activities/index.ts';
import { BREAKER_OPTIONS, BREAKER_STATE_VALUE, ServiceBreaker } from '../temporal/activities/circuit-breaker.ts';
import { createServiceClients, type ServiceClient } from '../temporal/activities/service-clients.ts';
import { resultLines } from '../temporal/cli/render.ts';
import { FailureType } from '../temporal/failure-types.ts';
import { metricsBindAddress, prometheusExporter } from '../temporal/worker/runtime.ts';
import type { MultiServerResult } from '../temporal/workflows/multi-server.ts';
import { failureSwitch } from './support/failing-service.ts';
import { startServerB } from './support/services.ts';

const logged: Array<{ level: LogLevel; message: string; meta: LogMetadata }> = [];
const recording: Logger = {
  log: (level, message, meta = {}) => void logged.push({ level, message, meta }),
  trace: (message, meta) => recording.log('TRACE', message, meta),
  debug: (message, meta) => recording.log('DEBUG', message, meta),
  info: (message, meta) => recording.log('INFO', message, meta),
  warn: (message, meta) => recording.log('WARN', message, meta),
  error: (message, meta) => recording.log('ERROR', message, meta),
};
/** The breaker's lines logged since `from` (an index into `logged`); the runtime holds lines back a moment to order them, as in the worker. */
function breakerLines(from: number) {
  Runtime.instance().flushLogs();
  return logged.slice(from).filter((l) => l.message.startsWith('circuit breaker'));
}

const b = failureSwitch();
let serverB: RunningService;
let metricsUrl: string;

beforeAll(async () => {
  const address = (await metricsBindAddress('127.0.0.1', 0))!;
  Runtime.install({
    logger: recording,
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} }, metrics: prometheusExporter(address) },
  });
  metricsUrl = `http://${address}/metrics`;
  serverB = await startServerB({ before: b.middleware });
});
afterAll(async () => {
  await serverB.close();
});
afterEach(() => {
  b.state.failing = false;
});

/** A Server B client with a breaker of its own: the production thresholds, and a probe after `resetTimeout`. */
function clientWith(resetTimeout = BREAKER_OPTIONS.resetTimeout): ServiceClient {
  const client = createServiceClients({ 'server-a': serverB.url, 'server-b': serverB.url })['server-b'];
  return { ...client, breaker: new ServiceBreaker('server-b', { ...BREAKER_OPTIONS, resetTimeout }) };
}

const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
const enrich = (client: ServiceClient, data: unknown = 'hello world') =>
  env.run(() => callService(client, 'POST', '/enrich', { body: { data }, response: EnrichResponse }));
/** 'ok', or the type of the failure the call threw. */
const outcome = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => 'ok',
    (error: unknown) => (error instanceof ApplicationFailure ? String(error.type) : String(error)),
  );
async function outcomes(client: ServiceClient, calls: number, data?: unknown): Promise<string[]> {
  const seen = [];
  for (let i = 0; i < calls; i++) seen.push(await outcome(enrich(client, data)));
  return seen;
}

/** The value of the sample `name`{service="server-b"} on the runtime's /metrics (0 when absent). */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('service="server-b"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const LAST_503 = 'server-b POST /enrich answered HTTP 503: failing on purpose (test)';

describe('the circuit breaker around each service', () => {
  test('opens once 5 calls in the window are mostly outages, then fails fast with a retryable CircuitOpen without calling the service', async () => {
    const client = clientWith();
    const from = logged.length;
    b.state.failing = true;
    const before = b.requests('/enrich');
    expect(await outcomes(client, 4)).toEqual(Array(4).fill(FailureType.serviceError));
    // Fewer calls than the volume threshold never open it.
    expect(client.breaker.state).toBe('closed');
    const opening = Date.now();
    expect(await outcomes(client, 1)).toEqual([FailureType.serviceError]);
    const opened = Date.now();
    expect(client.breaker.state).toBe('open');

    const failure = (await enrich(client).catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FailureType.circuitOpen, nonRetryable: false });
    const [details] = failure.details as Array<{ probeAt: string }>;
    expect(failure.details).toEqual([
      { service: 'server-b', method: 'POST', path: '/enrich', state: 'open', probeAt: details!.probeAt, lastFailure: LAST_503 },
    ]);
    expect(failure.message).toBe(
      `server-b POST /enrich not sent: the circuit breaker for server-b is open after repeated failures (last: ${LAST_503}); a call probes server-b again at ${details!.probeAt}`,
    );
    // One reset timeout after the call that opened it, whenever that call ended.
    expect(Date.parse(details!.probeAt)).toBeGreaterThanOrEqual(opening + BREAKER_OPTIONS.resetTimeout);
    expect(Date.parse(details!.probeAt)).toBeLessThanOrEqual(opened + BREAKER_OPTIONS.resetTimeout);
    // The sixth call never reached Server B.
    expect(b.requests('/enrich') - before).toBe(5);
    const lines = breakerLines(from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: 'circuit breaker open',
      meta: { breaker: 'server-b', state: 'open', calls: 5, failures: 5, lastFailure: LAST_503, probeAt: details!.probeAt },
    });
  });

  test('a 4xx answer is no outage: however many, the breaker stays closed and counts them as calls that went well', async () => {
    const client = clientWith();
    const from = logged.length;
    expect(await outcomes(client, 10, 42)).toEqual(Array(10).fill(FailureType.rejected));
    expect(client.breaker.state).toBe('closed');
    // 4 outages after 10 answered calls are not more than half of the window's calls.
    b.state.failing = true;
    expect(await outcomes(client, 4)).toEqual(Array(4).fill(FailureType.serviceError));
    expect(client.breaker.state).toBe('closed');
    expect(breakerLines(from)).toEqual([]);
  });

  test("the third party's failures (as many as a run asks for) and a 409 REQUEST_IN_PROGRESS never open Server B's breaker", async () => {
    const client = clientWith();
    const activities = createActivities({ 'server-a': client, 'server-b': client });
    const thirdParty = () => env.run(() => activities.callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1, failureStatus: 503 }));
    const seen = [];
    for (let i = 0; i < 10; i++) seen.push(await outcome(thirdParty()));
    expect(seen).toEqual(Array(10).fill(FailureType.serviceError));
    expect(client.breaker.state).toBe('closed');

    const inProgress = ApplicationFailure.create({ type: FailureType.serviceError, details: [{ code: 'REQUEST_IN_PROGRESS' }] });
    for (let i = 0; i < 10; i++) await client.breaker.run({ method: 'POST', path: '/publications' }, () => Promise.reject(inProgress)).catch(() => {});
    expect(client.breaker.state).toBe('closed');
  });

  test('half-open after the reset timeout: a failed probe opens it again; a good one closes it, and calls during the probe fail fast', async () => {
    const client = clientWith(300);
    const from = logged.length;
    b.state.failing = true;
    await outcomes(client, 5);
    expect(client.breaker.state).toBe('open');
    await expect.poll(() => client.breaker.state).toBe('half-open');
    const before = b.requests('/enrich');
    expect(await outcomes(client, 1)).toEqual([FailureType.serviceError]);
    expect(b.requests('/enrich') - before).toBe(1);
    expect(client.breaker.state).toBe('open');

    await expect.poll(() => client.breaker.state).toBe('half-open');
    b.state.failing = false;
    // Two calls at once: the first probes Server B, the second is not sent while the probe is in flight.
    const [probe, other] = await Promise.all([enrich(client).then(() => 'ok'), enrich(client).catch((e: unknown) => e as ApplicationFailure)]);
    expect(probe).toBe('ok');
    expect(other).toMatchObject({ type: FailureType.circuitOpen, nonRetryable: false });
    expect((other as ApplicationFailure).message).toMatch(
      /^server-b POST \/enrich not sent: the circuit breaker for server-b is half-open .*; a call is probing server-b now$/,
    );
    expect(client.breaker.state).toBe('closed');
    expect(breakerLines(from).map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'circuit breaker open'],
      ['INFO', 'circuit breaker half-open'],
      ['WARN', 'circuit breaker open'],
      ['INFO', 'circuit breaker half-open'],
      ['INFO', 'circuit breaker closed'],
    ]);
    expect(await outcomes(client, 3)).toEqual(['ok', 'ok', 'ok']);
  });

  test("reports its state, its openings and the calls it failed fast on the SDK runtime's /metrics, tagged with the service", async () => {
    const client = clientWith();
    const before = { opened: await metric('circuit_breaker_opened_total'), rejected: await metric('circuit_breaker_rejected_total') };
    b.state.failing = true;
    await outcomes(client, 7);
    expect(client.breaker.state).toBe('open');
    expect({
      state: await metric('circuit_breaker_state'),
      opened: (await metric('circuit_breaker_opened_total')) - before.opened,
      rejected: (await metric('circuit_breaker_rejected_total')) - before.rejected,
    }).toEqual({ state: BREAKER_STATE_VALUE.open, opened: 1, rejected: 2 });
  });
});

describe('a degraded run, as the CLI shows it', () => {
  test('names the step that fell back and why, and says the run completed degraded', () => {
    const summary = { reference: 'EXT-8125B9DBDA6E', category: 'uncategorized', score: 0, keywords: [], wordCount: 3, characterCount: 17 } as const;
    const result = {
      workflow: 'multiServerWorkflow',
      summary: { ...summary, contentHash: '8125b9dbda6ef745aa', hashesMatch: true, servers: ['server-a', 'server-b'], totalDurationMs: 7834 },
      thirdParty: null,
      degraded: true,
      fallbacks: [{ step: 'enrich', service: 'server-b', reason: 'server-b POST /enrich not sent: the circuit breaker for server-b is open …' }],
    } as unknown as MultiServerResult;
    expect(resultLines(result).slice(-3)).toEqual([
      '  Content hash 8125b9dbda6ef745… (same on both servers)',
      "  Fallback     enrich: default used (server-b's circuit breaker was open)",
      'Completed degraded in 7834 ms of workflow time',
    ]);
    expect(resultLines({ ...result, degraded: false, fallbacks: [] }).at(-1)).toBe('Completed in 7834 ms of workflow time');
  });
});
