// The benchmark scripts keep working (tiny runs; the numbers themselves are not asserted).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../shared/service/serve.ts';
import { runNode as run } from './support/processes.ts';
import { startServerA, startServerB } from './support/services.ts';
import { connectToTemporal, TEMPORAL_TAG, temporal, type TemporalConnections, testWorker, uniqueTaskQueue } from './support/temporal.ts';

test('bench:services measures every POST endpoint', async () => {
  const result = await run('scripts/bench-services.ts', ['20', '4']);
  expect(result.code).toBe(0);
  for (const endpoint of ['A POST /validate', 'A POST /process-internal', 'B POST /process-external', 'B POST /enrich', 'B POST /third-party-api']) {
    expect(result.stdout).toMatch(new RegExp(`${endpoint.replace(/[/()]/g, '\\$&')}.*\\s+\\d+\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+\\.\\d`));
  }
});

test.each([[['0']], [['10', '20']], [['ten']]])('bench:services rejects bad arguments %j with usage and exit 2', async (args) => {
  const result = await run('scripts/bench-services.ts', args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('Usage: npm run bench:services --');
});

test('bench:workflows rejects bad arguments with usage and exit 2', async () => {
  const result = await run('scripts/bench-workflows.ts', ['5', '2', 'fast']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('Usage: npm run bench:workflows --');
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} bench:workflows`, { timeout: 60_000 }, () => {
  let connections: TemporalConnections;
  let a: RunningService;
  let b: RunningService;
  beforeAll(async () => {
    connections = await connectToTemporal();
    a = await startServerA();
    b = await startServerB();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await connections?.close();
  });

  test('runs the workflows against a worker and reports them all completed', async () => {
    if (!temporal.available) throw new Error('unreachable');
    const taskQueue = uniqueTaskQueue('bench');
    const worker = await testWorker(connections, taskQueue, { 'server-a': a.url, 'server-b': b.url });
    const env = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, TEMPORAL_TASK_QUEUE: taskQueue };
    const result = await worker.runUntil(() => run('scripts/bench-workflows.ts', ['6', '3'], env));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('6 × multiServerWorkflow, 3 at a time');
    expect(result.stdout).toMatch(/completed 6, failed 0, in [\d.]+ s: [\d.]+ workflows\/s/);
  });
});

test('fuzz:services runs every property (a tiny budget here) and names its seed', async () => {
  const result = await run('scripts/fuzz-services.ts', ['5', '42']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('fuzzing both services: 5 runs per property, seed 42');
  expect(result.stdout).toMatch(/all properties held/);
});

test('fuzz:services rejects bad arguments with usage and exit 2', async () => {
  const result = await run('scripts/fuzz-services.ts', ['many']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('Usage: npm run fuzz:services --');
});

test('abuse:third-party drops calls against a real Server B and reports its memory and /ping', async () => {
  const result = await run('scripts/abuse-third-party.ts', ['100', '10']);
  expect(result.stdout).toContain('100 dropped calls, 10 at once');
  expect(result.stdout).toMatch(/server-b peak RSS \d+ MB \(limit 200\), slowest \/ping [\d.]+ ms \(limit 100\)/);
  expect(result.stdout).toContain('third-party calls: 100 seen, 100 abandoned by the client, 0 still in flight');
  // Its verdict on the limits is the benchmark's business (a loaded test machine may miss them), not this test's.
  expect([0, 1]).toContain(result.code);
});
