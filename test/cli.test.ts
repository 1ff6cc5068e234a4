// The CLI client: arguments, exit codes, and its output against a real worker and Temporal server.
import type { ChildProcess } from 'node:child_process';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../shared/service/serve.ts';
import { parseCliArgs, SAMPLE_DATA } from '../temporal/cli/args.ts';
import { failureLines, stepLine, webUiLink } from '../temporal/cli/render.ts';
import { FailureType } from '../temporal/failure-types.ts';
import { type Finished, killLeftovers, runNode } from './support/processes.ts';
import { startServerA, startServerB } from './support/services.ts';
import {
  connectToTemporal,
  fullServer,
  TEMPORAL_TAG,
  temporal,
  type TemporalConnections,
  testWorker,
  uniqueTaskQueue,
  workflowBundle,
} from './support/temporal.ts';

afterEach(killLeftovers);

/** Runs the real client; `onStdout` may act on the output while it runs. */
function runCli(args: string[], env: Record<string, string> = {}, onStdout?: (stdout: string, child: ChildProcess) => void): Promise<Finished> {
  return runNode('temporal/client.ts', args, { LOG_LEVEL: 'warn', ...env }, onStdout);
}

describe('arguments', () => {
  test.each([
    [[], { data: SAMPLE_DATA, mode: 'multi' }],
    [['my custom data'], { data: 'my custom data', mode: 'multi' }],
    [['test data', 'simple'], { data: 'test data', mode: 'simple' }],
    [['', 'multi'], { data: '', mode: 'multi' }],
    [[''], { data: '', mode: 'multi' }],
    [['--', '-5', 'simple'], { data: '-5', mode: 'simple' }],
  ])('%j → %j', (argv, expected) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'run', json: false, thirdParty: false, ...expected });
  });

  test('--json and --third-party are flags', () => {
    expect(parseCliArgs(['x', '--json', '--third-party'])).toEqual({ kind: 'run', data: 'x', mode: 'multi', json: true, thirdParty: true });
  });

  test('--help prints usage and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: node temporal\/client\.ts \[data\] \[multi\|simple\] \[options\]/);
    expect(run.stdout).toContain('Exit codes: 0 completed, 1 workflow failed, 2 usage or configuration error, 3 Temporal unreachable.');
  });

  test.each([
    [['hello', 'fast'], 'Unknown mode "fast": use multi or simple'],
    [['hello', '--bogus'], "Unknown option '--bogus'"],
    [['a', 'b', 'c'], 'Expected at most 2 arguments (data and mode), got 3'],
    [['hello', 'simple', '--third-party'], '--third-party only applies to the multi mode'],
  ])('%j is a usage error: exit 2 with the reason and the usage', async (argv, reason) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(reason);
    expect(run.stderr).toContain('Usage: node temporal/client.ts');
    expect(run.stdout).toBe('');
  });

  test('a bad environment value exits 2 naming the variable', async () => {
    const run = await runCli(['hello'], { TEMPORAL_ADDRESS: 'no-port-here' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TEMPORAL_ADDRESS must be host:port, for example localhost:7233 (got "no-port-here")');
  });

  test('an unreachable Temporal exits 3 with a hint on how to start it', async () => {
    const closed = await startServerA();
    await closed.close();
    const address = `127.0.0.1:${closed.port}`;
    const run = await runCli(['hello'], { TEMPORAL_ADDRESS: address });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Cannot reach Temporal at ${address}`);
    expect(run.stderr).toContain('npm run temporal:dev');
  });
});

describe('rendering', () => {
  test('step lines align names and durations', () => {
    expect(stepLine('validate', 12)).toBe('  ✓ validate              12 ms');
    expect(stepLine('process-external', null, 'failed')).toBe('  ✗ process-external');
  });

  test('the Web UI link points at the execution history', () => {
    expect(webUiLink('http://localhost:7070', 'default', 'multi-server-abc', 'run-1')).toBe(
      'http://localhost:7070/namespaces/default/workflows/multi-server-abc/run-1/history',
    );
  });

  test('a failure chain names the step, the service and why', () => {
    const http = ApplicationFailure.create({
      type: FailureType.unreachable,
      message: 'server-b GET /ping failed: server-b is unreachable at http://localhost:3002 (ECONNREFUSED)',
    });
    const activity = new ActivityFailure('Activity task failed', 'checkHealth', '2', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker', http);
    const top = ApplicationFailure.create({
      type: FailureType.healthCheckFailed,
      message: `server-b failed its health check: ${http.message}`,
      nonRetryable: true,
      cause: activity,
    });
    expect(failureLines(new WorkflowFailedError('Workflow execution failed', top, RetryState.NON_RETRYABLE_FAILURE))).toEqual({
      step: 'health-check',
      lines: [
        'Workflow execution failed',
        'HealthCheckFailed: server-b failed its health check: server-b GET /ping failed: server-b is unreachable at http://localhost:3002 (ECONNREFUSED) [not retried]',
        'Activity checkHealth gave up (MAXIMUM_ATTEMPTS_REACHED)',
        'ServiceUnreachable: server-b GET /ping failed: server-b is unreachable at http://localhost:3002 (ECONNREFUSED)',
      ],
    });
  });

  test('validation failures list every problem', () => {
    const failure = ApplicationFailure.create({
      type: FailureType.validationFailed,
      message: 'Input rejected by server-a /validate: data must not be empty or only whitespace',
      nonRetryable: true,
      details: [[{ field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' }]],
    });
    expect(failureLines(failure)).toEqual({
      step: 'validate',
      lines: [
        'ValidationFailed: Input rejected by server-a /validate: data must not be empty or only whitespace [not retried]',
        '  - data: data must not be empty or only whitespace (EMPTY)',
      ],
    });
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} the CLI against a worker`, { timeout: 60_000 }, () => {
  let temporalConnections: TemporalConnections;
  let serverA: RunningService;
  let serverB: RunningService;

  beforeAll(async () => {
    temporalConnections = await connectToTemporal();
    serverA = await startServerA();
    serverB = await startServerB();
    await workflowBundle();
  });
  afterAll(async () => {
    await serverA?.close();
    await serverB?.close();
    await temporalConnections?.close();
  });

  function cliEnv(taskQueue: string): Record<string, string> {
    if (!temporal.available) throw new Error('unreachable');
    return {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_UI_URL: 'http://ui.test',
    };
  }

  async function runWithWorker(args: string[]): Promise<Finished> {
    const taskQueue = uniqueTaskQueue('cli');
    const worker = await testWorker(temporalConnections, taskQueue, { 'server-a': serverA.url, 'server-b': serverB.url });
    return worker.runUntil(() => runCli(args, cliEnv(taskQueue)));
  }

  test('"hello" multi prints the ids, the Web UI link, every step and the result; exit 0', async () => {
    const run = await runWithWorker(['hello', 'multi']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Started multiServerWorkflow with data "hello"');
    expect(run.stdout).toMatch(/Workflow ID {2}multi-server-[\w-]{21}\n/);
    const namespace = temporalConnections.namespace;
    expect(run.stdout).toMatch(new RegExp(`Web UI {7}http://ui\\.test/namespaces/${namespace}/workflows/multi-server-[\\w-]{21}/[\\w-]+/history`));
    for (const step of ['health-check', 'validate', 'process-internal', 'process-external', 'enrich', 'combine']) {
      expect(run.stdout).toMatch(new RegExp(`✓ ${step} +\\d+ ms`));
    }
    expect(run.stdout).toContain('Category     greeting (score 53/100)');
    expect(run.stdout).toContain('Keywords     hello');
    expect(run.stdout).toContain('(same on both servers)');
  });

  test('"test data" simple runs on Server A only', async () => {
    const run = await runWithWorker(['test data', 'simple']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Workflow ID {2}simple-[\w-]{21}\n/);
    expect(run.stdout).toContain('Result (Server A only)');
    expect(run.stdout).toContain('Normalized   "test data"');
    expect(run.stdout).not.toContain('process-external');
  });

  test('--json prints only the result as JSON', async () => {
    const run = await runWithWorker(['hello', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { workflow: string; summary: { category: string; score: number } };
    expect(result.workflow).toBe('multiServerWorkflow');
    expect(result.summary).toMatchObject({ category: 'greeting', score: 53 });
    expect(run.stderr).toContain('Workflow ID  multi-server-');
  });

  test('invalid data ("") fails with a readable validation message; exit 1', async () => {
    const run = await runWithWorker(['', 'multi']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ validate');
    expect(run.stdout).toContain('Workflow failed at step "validate":');
    expect(run.stdout).toContain(
      'ValidationFailed: Input rejected by server-a /validate: data must not be empty or only whitespace [not retried]',
    );
    expect(run.stdout).toContain('- data: data must not be empty or only whitespace (EMPTY)');
  });

  test.skipIf(!fullServer)('with no worker it says so, and Ctrl-C stops watching while the workflow stays in Temporal', async () => {
    const taskQueue = uniqueTaskQueue('no-worker');
    const run = await runCli(['hello'], cliEnv(taskQueue), (stdout, child) => {
      if (stdout.includes('runs as soon as a worker is up') && !child.killed) child.kill('SIGINT');
    });
    expect(run.stdout).toContain(`No worker is polling task queue "${taskQueue}" yet`);
    expect(run.stdout).toContain('Stopped watching. The workflow keeps running in Temporal');
    expect(run.code).toBe(130);
    const workflowId = /Workflow ID {2}(\S+)/.exec(run.stdout)?.[1];
    const handle = temporalConnections.client.workflow.getHandle(workflowId!);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test cleanup');
  });
});
