// Proves the benchmark and load scripts run and report what they measured (tiny runs; the numbers are not asserted).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
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

test.each([
  [['--workflows', '0'], '--workflows must be a whole number from 1 to 1000000, got "0"'],
  [['--workflows', '5', '--concurrency', '6'], '--concurrency must be at most --workflows (5), got 6'],
  [['--kind', 'fast'], '--kind must be one of multi, simple, publish, adaptive, got "fast"'],
  [['--out', ''], '--out must name a directory'],
  [['10'], "Unexpected argument '10'"],
])('load rejects %j with the reason, its usage and exit 2', async (args, reason) => {
  const result = await run('scripts/load.ts', args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(reason);
  expect(result.stderr).toContain('Usage: npm run load --');
});

test('load without a running stack says what to start and exits 3', async () => {
  const result = await run('scripts/load.ts', ['--workflows', '2'], { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_CONFIG_FILE: '/dev/null' });
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(/Cannot run the load test: Temporal does not answer at 127\.0\.0\.1:1 .*Start the stack first: npm start/);
});

test.each([
  [['--runs', '0'], '--runs must be a whole number from 1 to 10000, got "0"'],
  [['--workflows', '2', '--concurrency', '3'], '--concurrency must be at most --workflows (2), got 3'],
  [['--fast'], "Unknown option '--fast'"],
])('bench:overhead rejects %j with the reason, its usage and exit 2', async (args, reason) => {
  const result = await run('scripts/bench-overhead.ts', args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(reason);
  expect(result.stderr).toContain('Usage: npm run bench:overhead --');
});

test(
  `${TEMPORAL_TAG} bench:overhead starts a stack of its own and measures the chain, the workflow and the worker's restart`,
  { timeout: 240_000 },
  async () => {
    const result = await run('scripts/bench-overhead.ts', ['--own-stack', '--runs', '3', '--workflows', '6', '--concurrency', '3']);
    // Nothing on stderr but the progress bar's lines.
    expect(result.stderr).toMatch(/^(concurrent \d+\/6 .*\n)+$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/direct chain \(the same activity code, no Temporal\), 3 one after another: p50 [\d.]+ ms/);
    expect(result.stdout).toMatch(/workflow, 3 one after another: p50 [\d.]+ ms/);
    expect(result.stdout).toMatch(/orchestration overhead: -?[\d.]+ ms per step \(5 steps that call a service\), the workflow takes [\d.]+× the direct chain/);
    expect(result.stdout).toMatch(/workflow, 6 with 3 at a time: [\d.]+ workflows\/s, p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, 0 failed/);
    // Every process of its own stack is found and measured (a ? would mean one was not).
    expect(result.stdout).toMatch(/CPU per workflow \(ms\): temporal server [\d.]+, worker [\d.]+, server-a [\d.]+, server-b [\d.]+, this client [\d.]+/);
    expect(result.stdout).toMatch(/worker restarted with the kept workflow bundle, Temporal already answering: polling [\d.]+ s after its process started/);
  },
);

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} load`, { timeout: 60_000 }, () => {
  let connections: TemporalConnections;
  let a: RunningService;
  let b: RunningService;
  let out: string;
  beforeAll(async () => {
    connections = await connectToTemporal();
    a = await startServerA();
    b = await startServerB();
    out = mkdtempSync(join(tmpdir(), 'load-'));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await connections?.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('runs the workflows against the running worker, reports them and writes the JSON and the chart', async () => {
    if (!temporal.available) throw new Error('unreachable');
    const taskQueue = uniqueTaskQueue('load');
    const worker = await testWorker(connections, taskQueue, { 'server-a': a.url, 'server-b': b.url });
    const env = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_CONFIG_FILE: '/dev/null',
    };
    const result = await worker.runUntil(() => run('scripts/load.ts', ['--workflows', '6', '--concurrency', '3', '--out', out], env));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`6 × multi, 3 at a time, task queue "${taskQueue}"`);
    expect(result.stdout).toMatch(/6 of 6 multi runs completed, 0 failed, in [\d.]+ s: [\d.]+ workflows\/s/);
    // Not a terminal: the progress bar writes a plain line at the start and one per tenth of the way, nothing else.
    expect(result.stderr).toMatch(/^load 0\/6 \(0%\), 0\.0\/s\n(load [1-5]\/6 \(\d+%\), [\d.]+\/s(, about \d+ s left)?\n)+load 6\/6 \(100%\), [\d.]+\/s\n$/);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    const json = JSON.parse(
      readFileSync(
        join(
          out,
          files.find((f) => f.endsWith('.json'))!,
        ),
        'utf8',
      ),
    ) as {
      summary: { completed: number; failed: number };
      samples: { outcome: string }[];
    };
    expect(json.summary).toMatchObject({ completed: 6, failed: 0 });
    expect(json.samples.map((s) => s.outcome)).toEqual(Array(6).fill('completed'));
    // The chart is one self-contained SVG that draws the run: a line per percentile, a bar per slice in which runs ended.
    const svg = readFileSync(
      join(
        out,
        files.find((f) => f.endsWith('.svg'))!,
      ),
      'utf8',
    );
    expect(svg).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    for (const text of ['6 multi workflows, 3 at a time', 'End-to-end latency of the runs ending in each slice', 'Throughput: runs ended per second']) {
      expect(svg).toContain(`>${text}`);
    }
    for (const percentile of ['p50', 'p90', 'p99']) expect(svg).toContain(`>${percentile}</text>`);
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(3);
    const bars = svg.match(/aria-roledescription="bar"/g)?.length ?? 0;
    expect(bars).toBeGreaterThanOrEqual(1);
    expect(bars).toBeLessThanOrEqual(6);
  });

  test('counts failures by cause and exits 1 when runs fail', async () => {
    if (!temporal.available) throw new Error('unreachable');
    const taskQueue = uniqueTaskQueue('load-failing');
    const worker = await testWorker(
      connections,
      taskQueue,
      { 'server-a': a.url, 'server-b': b.url },
      {
        activities: { processExternal: () => Promise.reject(ApplicationFailure.nonRetryable('rejected by the test', 'ExternalRejected')) },
      },
    );
    const env = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_CONFIG_FILE: '/dev/null',
    };
    const result = await worker.runUntil(() => run('scripts/load.ts', ['--workflows', '2', '--out', out], env));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/0 of 2 multi runs completed, 2 failed/);
    expect(result.stdout).toMatch(/failures by cause:\n\s+2 {2}ExternalRejected\n/);
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
