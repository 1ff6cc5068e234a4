// GET /metrics of the services (prom-client, one registry per app) and of the worker (the SDK's own,
// WORKER_METRICS_PORT), read the way Prometheus reads them, after real requests and a real run.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import type { RunningService } from '../shared/service/serve.ts';
import { DURATION_BUCKETS_SECONDS } from '../shared/service/create-app.ts';
import { PING_TIMEOUT_MS } from '../temporal/activities/call-service.ts';
import { THIRD_PARTY_TIMEOUT_MS } from '../temporal/activities/server-b.ts';
import { HTTP_TIMEOUT_MS } from '../temporal/activities/service-clients.ts';
import { killLeftovers, runNode, startNode } from './support/processes.ts';
import { startServerA, startServerB, statusOf } from './support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from './support/temporal.ts';
import { serviceTaskQueue } from '../temporal/activities/types.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text-format answer (comments skipped). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k!, v!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there are none). */
function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((total, s) => total + s.value, 0);
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  // Prometheus's text format (the services add charset=utf-8, the SDK does not).
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4(; charset=utf-8)?$/);
  return parse(await res.text());
}

const started: RunningService[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close(0)));
});
async function track(service: Promise<RunningService>): Promise<RunningService> {
  const running = await service;
  started.push(running);
  return running;
}

const post = (service: RunningService, path: string, body: unknown) =>
  fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.text());

describe("the services' GET /metrics", () => {
  test('counts requests by method, route pattern and status, unknown paths as "unmatched"', async () => {
    const a = await track(startServerA());
    const metrics = `${a.url}/metrics`;
    const before = await scrape(metrics);
    expect(sum(before, 'http_requests_total', { route: '/validate' })).toBe(0);

    await post(a, '/validate', { data: 'hello' });
    await post(a, '/validate', { data: 'hello again' });
    await post(a, '/validate', '{oops');
    await fetch(`${a.url}/records/rec_nope`).then((r) => r.text());
    await fetch(`${a.url}/ping`, { method: 'DELETE' }).then((r) => r.text());
    await fetch(`${a.url}/ping`, { method: 'HEAD' }).then((r) => r.text());
    await fetch(`${a.url}/no/such/path/123`).then((r) => r.text());
    const after = await scrape(metrics);

    const count = (labels: Record<string, string>) => sum(after, 'http_requests_total', { service: 'server-a', ...labels });
    expect({
      validateOk: count({ method: 'POST', route: '/validate', status: '200' }),
      validateBad: count({ method: 'POST', route: '/validate', status: '400' }),
      recordById: count({ method: 'GET', route: '/records/:id', status: '404' }),
      wrongMethod: count({ method: 'DELETE', route: '/ping', status: '405' }),
      head: count({ method: 'HEAD', route: '/ping', status: '200' }),
      unmatched: count({ method: 'GET', route: 'unmatched', status: '404' }),
      // The first scrape, counted once it was answered.
      metrics: count({ method: 'GET', route: '/metrics', status: '200' }),
    }).toEqual({ validateOk: 2, validateBad: 1, recordById: 1, wrongMethod: 1, head: 1, unmatched: 1, metrics: 1 });
    // Route patterns only: no raw path or id is ever a label.
    const routes = new Set(after.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route));
    expect([...routes].filter((r) => r !== 'unmatched' && !/^\/[\w/:-]*$/.test(r ?? ''))).toEqual([]);
    expect([...routes]).not.toContain('/records/rec_nope');
    expect([...routes]).not.toContain('/no/such/path/123');
  });

  test('observes each latency in seconds, in the bucket it belongs to', async () => {
    const b = await track(startServerB({ thirdParty: { latencyMs: 0, failureRate: 0 } }));
    await post(b, '/third-party-api', { query: 'slow', latencyMs: 150, failureRate: 0 });
    await post(b, '/third-party-api', { query: 'down', latencyMs: 0, failureRate: 1 });
    const samples = await scrape(`${b.url}/metrics`);

    const slow = { service: 'server-b', method: 'POST', route: '/third-party-api', status: '200' };
    const bucket = (le: string, labels = slow) => sum(samples, 'http_request_duration_seconds_bucket', { ...labels, le });
    expect(sum(samples, 'http_request_duration_seconds_count', slow)).toBe(1);
    // At least the 150 ms asked for (a timer may fire a hair early); however long a busy machine made it,
    // it is counted in every bucket from the first bound at or above its own duration, and in none below.
    const observed = sum(samples, 'http_request_duration_seconds_sum', slow);
    expect(observed).toBeGreaterThanOrEqual(0.14);
    expect(DURATION_BUCKETS_SECONDS.map((le) => bucket(String(le)))).toEqual(DURATION_BUCKETS_SECONDS.map((le) => (le >= observed ? 1 : 0)));
    expect(bucket('+Inf')).toBe(1);
    // The simulated outage is a 503 of its own series, which the error-rate alert leaves out by route.
    expect(sum(samples, 'http_requests_total', { route: '/third-party-api', status: '503' })).toBe(1);
    const les = samples.filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.status === '200').map((s) => s.labels.le);
    expect(les).toEqual([...DURATION_BUCKETS_SECONDS.map(String), '+Inf']);
  });

  test('a request the client abandons is counted with status "aborted"', async () => {
    const b = await track(startServerB({ thirdParty: { latencyMs: 0, failureRate: 0 } }));
    const controller = new AbortController();
    const pending = fetch(`${b.url}/third-party-api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'slow', latencyMs: 2_000, failureRate: 0 }),
      signal: controller.signal,
    });
    await expect.poll(async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(async () => sum(await scrape(`${b.url}/metrics`), 'http_requests_total', { route: '/third-party-api', status: 'aborted' })).toBe(1);
  });

  test('each app counts only its own requests; the process metrics appear once in each answer', async () => {
    const [a1, a2] = [await track(startServerA()), await track(startServerA())];
    await post(a1, '/validate', { data: 'one' });
    const text = await (await fetch(`${a2.url}/metrics`)).text();
    const samples = parse(text);
    expect(sum(samples, 'http_requests_total', { route: '/validate' })).toBe(0);
    expect(sum(parse(await (await fetch(`${a1.url}/metrics`)).text()), 'http_requests_total', { route: '/validate' })).toBe(1);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(text.split('\n').filter((line) => line === `# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`)).toHaveLength(1);
    }
  });

  test('with SERVICE_TOKEN set, /metrics needs it like /status (Prometheus sends it as a bearer token)', async () => {
    const token = 'a-long-shared-secret-for-metrics';
    const a = await track(startServerA({ token }));
    expect((await fetch(`${a.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${a.url}/metrics`, { headers: { authorization: 'Bearer wrong-secret-of-length' } })).status).toBe(401);
    const samples = await scrape(`${a.url}/metrics`, { authorization: `Bearer ${token}` });
    // The refused scrapes are counted too, under their route.
    expect(sum(samples, 'http_requests_total', { route: '/metrics', status: '401' })).toBe(2);
  });

  test("the latency buckets end at the callers' HTTP timeouts, so a histogram shows how close answers came to them", () => {
    for (const timeoutMs of [PING_TIMEOUT_MS, HTTP_TIMEOUT_MS, THIRD_PARTY_TIMEOUT_MS]) expect(DURATION_BUCKETS_SECONDS).toContain(timeoutMs / 1000);
    expect(Math.max(...DURATION_BUCKETS_SECONDS)).toBe(THIRD_PARTY_TIMEOUT_MS / 1000);
    expect([...DURATION_BUCKETS_SECONDS].sort((x, y) => x - y)).toEqual(DURATION_BUCKETS_SECONDS);
  });
});

describe("the worker's metrics endpoint (WORKER_METRICS_PORT)", () => {
  afterEach(killLeftovers);

  test('a port already taken stops the worker at start, naming the variable, before it dials Temporal', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      // Nothing answers at this Temporal address: the worker must fail on the port, not wait for Temporal.
      const run = await runNode('temporal/worker.ts', [], { WORKER_METRICS_PORT: String(port), TEMPORAL_ADDRESS: '127.0.0.1:1', LOG_LEVEL: 'info' });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`cannot serve metrics on 127.0.0.1:${port}: set WORKER_METRICS_PORT to a free port, 0 for any free port, or off`);
      expect(run.stdout).toMatch(/address already in use/i);
      expect(run.stdout).not.toContain('waiting for Temporal');
    } finally {
      holder.close();
    }
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} /metrics of the worker and both services after a real run`, { timeout: 150_000 }, () => {
  afterEach(killLeftovers);

  test('the worker reports the run, its activities (a failed attempt by type) and the schedule-to-start latencies; the services their requests', async () => {
    const a = await track(startServerA());
    // The first third-party call fails (a simulated 503), its retry succeeds: one activity failure to see.
    let draws = 0;
    const b = await track(startServerB({ thirdParty: { latencyMs: 0, failureRate: 0.5 }, random: () => (draws++ === 0 ? 0 : 0.99) }));
    const taskQueue = uniqueTaskQueue('metrics');
    const env = { ...temporalEnv(taskQueue), SERVER_A_URL: a.url, SERVER_B_URL: b.url, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info' };
    const worker = startNode('temporal/worker.ts', [], env);
    await worker.waitFor('"msg":"worker polling"', 120_000);
    // Port 0: the worker picked a free port and says which.
    const url = /"metrics":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(worker.output())?.[1];
    expect(url, worker.output()).toBeDefined();

    const run = await runNode('temporal/client.ts', ['metrics after a real run', 'multi', '--third-party', '--json'], env);
    expect(run.code, run.stderr).toBe(0);

    const samples = await scrape(url!);
    const namespace = temporal.available ? temporal.namespace : '';
    const ours = { namespace, task_queue: taskQueue };
    const flow = { ...ours, workflow_type: 'multiServerWorkflow' };
    // Activities run on each service's own queue, and are labelled with it.
    const [onA, onB] = (['server-a', 'server-b'] as const).map((service) => ({ namespace, task_queue: serviceTaskQueue(taskQueue, service) }));
    const both = (name: string, labels: Record<string, string> = {}) => sum(samples, name, { ...onA, ...labels }) + sum(samples, name, { ...onB, ...labels });
    expect({
      completed: sum(samples, 'temporal_workflow_completed_total', flow),
      failedThirdParty: sum(samples, 'temporal_activity_execution_failed_total', {
        ...onB,
        workflow_type: 'multiServerWorkflow',
        activity_type: 'callThirdParty',
      }),
      failedOther: both('temporal_activity_execution_failed_total') - both('temporal_activity_execution_failed_total', { activity_type: 'callThirdParty' }),
      validations: sum(samples, 'temporal_activity_execution_latency_count', { ...onA, workflow_type: 'multiServerWorkflow', activity_type: 'validateData' }),
    }).toEqual({ completed: 1, failedThirdParty: 1, failedOther: 0, validations: 1 });
    // Every workflow task and every activity attempt waited in the queue, and was measured in seconds.
    const workflowTasks = sum(samples, 'temporal_workflow_task_schedule_to_start_latency_count', ours);
    const activityTasks = both('temporal_activity_schedule_to_start_latency_count');
    expect(workflowTasks).toBeGreaterThanOrEqual(2);
    // validate, 2 pings, process-internal, process-external, enrich, and the third party twice.
    expect(activityTasks).toBeGreaterThanOrEqual(8);
    expect(sum(samples, 'temporal_workflow_task_schedule_to_start_latency_bucket', { ...ours, le: '+Inf' })).toBe(workflowTasks);
    expect(both('temporal_activity_schedule_to_start_latency_sum') / activityTasks).toBeLessThan(5);

    const [fromA, fromB] = [await scrape(`${a.url}/metrics`), await scrape(`${b.url}/metrics`)];
    expect({
      validate: sum(fromA, 'http_requests_total', { service: 'server-a', route: '/validate', status: '200' }),
      processInternal: sum(fromA, 'http_requests_total', { service: 'server-a', route: '/process-internal', status: '200' }),
      enrich: sum(fromB, 'http_requests_total', { service: 'server-b', route: '/enrich', status: '200' }),
      thirdPartyFailed: sum(fromB, 'http_requests_total', { service: 'server-b', route: '/third-party-api', status: '503' }),
      thirdPartyOk: sum(fromB, 'http_requests_total', { service: 'server-b', route: '/third-party-api', status: '200' }),
    }).toEqual({ validate: 1, processInternal: 1, enrich: 1, thirdPartyFailed: 1, thirdPartyOk: 1 });
    expect(sum(fromB, 'http_request_duration_seconds_count', { route: '/enrich' })).toBe(1);
  });
});
