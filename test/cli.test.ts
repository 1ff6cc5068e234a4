// The CLI client: arguments, exit codes, its output and its Web UI links, against a real worker and
// Temporal server.
import type { ChildProcess } from 'node:child_process';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../shared/service/serve.ts';
import { parseCommand, SAMPLE_DATA } from '../temporal/cli/args.ts';
import { failureLines, failureOutcome, stepLine } from '../temporal/cli/render.ts';
import { runApiUrl, webUiCandidates, webUiLink, webUiLinkFor } from '../temporal/cli/web-ui.ts';
import { FailureType } from '../temporal/failure-types.ts';
import { type Finished, killLeftovers, runNode } from './support/processes.ts';
import { gate, startServerA, startServerB, statusOf } from './support/services.ts';
import {
  connectToTemporal,
  TEMPORAL_TAG,
  temporal,
  temporalEnv,
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
    expect(parseCommand(argv)).toEqual({ verb: 'run', json: false, mode: expected.mode, input: { data: expected.data } });
  });

  test('--json, --third-party and --outage-limit', () => {
    expect(parseCommand(['x', '--json', '--third-party', '--outage-limit', '30s'])).toEqual({
      verb: 'run',
      mode: 'multi',
      json: true,
      input: { data: 'x', thirdParty: {}, outageLimit: '30s' },
    });
  });

  test('the verbs: run is the default; "run" itself lets data be a verb\'s name', () => {
    expect(parseCommand(['run', 'status', 'simple'])).toMatchObject({ verb: 'run', input: { data: 'status' }, mode: 'simple' });
    expect(parseCommand(['x', 'publish', '--review', '--review-deadline', '90s'])).toMatchObject({
      verb: 'run',
      mode: 'publish',
      input: { review: true, reviewDeadline: '90s' },
    });
    expect(parseCommand(['status', 'wf-1', '--json'])).toEqual({ verb: 'status', json: true, workflowId: 'wf-1' });
    expect(parseCommand(['cancel', 'wf-1'])).toEqual({ verb: 'cancel', json: false, workflowId: 'wf-1' });
    expect(parseCommand(['reject', 'wf-1', '--reviewer', 'ada', '--comment', 'off-topic', '--signal'])).toEqual({
      verb: 'reject',
      json: false,
      workflowId: 'wf-1',
      reviewer: 'ada',
      comment: 'off-topic',
      signal: true,
    });
    expect(parseCommand(['list', '--status', 'Running', '--review', 'pending'])).toMatchObject({
      verb: 'list',
      status: 'Running',
      review: 'pending',
      limit: 20,
    });
    expect(parseCommand(['batch', '--count', '12', '--kind', 'publish', '--concurrency', '3'])).toMatchObject({
      verb: 'batch',
      count: 12,
      kind: 'publish',
      concurrency: 3,
    });
    expect(parseCommand(['schedule', 'create', '--id', 'every-5m', '--every', '5m'])).toMatchObject({
      verb: 'schedule',
      action: 'create',
      id: 'every-5m',
      everyMs: 300_000,
    });
    expect(parseCommand(['schedule', 'trigger', 'every-5m'])).toMatchObject({ verb: 'schedule', action: 'trigger', id: 'every-5m' });
  });

  test('--help prints usage with every exit code and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npx node temporal\/client\.ts \[options\] \[command\]/);
    for (const verb of ['run', 'status', 'approve', 'reject', 'cancel', 'list', 'batch', 'schedule']) expect(run.stdout).toMatch(new RegExp(`\\n  ${verb}\\b`));
    expect(run.stdout).toContain('Exit codes: 0 completed, 1 workflow failed (or was cancelled), 2 usage or configuration error,');
    expect(run.stdout).toContain('3 could not start (Temporal unreachable or refused), 4 lost contact while waiting for the result,');
    expect(run.stdout).toContain('130 stopped watching with Ctrl-C (the workflow keeps running).');
  });

  test.each([
    [['hello', 'fast'], "Command-argument value 'fast' is invalid for argument 'mode'. Allowed choices are multi, simple, publish, adaptive."],
    [['hello', '--bogus'], "Unknown option '--bogus'"],
    [['a', 'b', 'c'], "Too many arguments for 'run'. Expected 2 arguments but got 3: a, b, c."],
    [['hello', 'simple', '--third-party'], '--third-party only applies to the multi mode'],
    [['hello', 'simple', '--review'], '--review and --review-deadline only apply to the publish mode'],
    [['hello', '--outage-limit', 'soon'], "Option '--outage-limit <time>' argument 'soon' is invalid. It must be a duration from 1s to 1h such as 30s or 5m"],
    [['hello', '--outage-limit', '2h'], "Option '--outage-limit <time>' argument '2h' is invalid. It must be a duration from 1s to 1h such as 30s or 5m"],
    [
      ['x', 'publish', '--review-deadline', '2d'],
      "Option '--review-deadline <time>' argument '2d' is invalid. It must be a duration from 1s to 24h such as 30s or 5m",
    ],
    [['status'], "Missing required argument 'workflowId'"],
    [['batch', '--count', '3', '--file', 'x.json'], 'batch needs exactly one of --file FILE or --count N'],
    [['list', '--limit', '5000'], "Option '--limit <n>' argument '5000' is invalid. It must be a whole number from 1 to 1000"],
    [['schedule', 'create', '--every', '1h'], 'schedule create needs --id ID and --every TIME'],
    [['schedule', 'pause'], "schedule pause needs the schedule's id"],
    [['schedule', 'explode', 'x'], "Command-argument value 'explode' is invalid for argument 'action'. Allowed choices are create, list, pause, unpause,"],
  ])('%j is a usage error: exit 2 with the reason and the usage', async (argv, reason) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(reason);
    expect(run.stderr).toContain('Usage: npx node temporal/client.ts');
    expect(run.stdout).toBe('');
  });

  test('a bad environment value exits 2 naming the variable', async () => {
    const run = await runCli(['hello'], { TEMPORAL_ADDRESS: 'no-port-here' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TEMPORAL_ADDRESS must be host:port, for example localhost:7233 (got "no-port-here")');
  });

  test('a Temporal port where nothing listens is reported as refused, exit 3, with a hint', async () => {
    const closed = await startServerA();
    await closed.close();
    const address = `127.0.0.1:${closed.port}`;
    const run = await runCli(['hello'], { TEMPORAL_ADDRESS: address });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Cannot reach Temporal at ${address}: connection refused (nothing listens there).`);
    expect(run.stderr).toContain('npm run temporal:dev');
  });
});

describe('rendering', () => {
  test('step lines align names and durations', () => {
    expect(stepLine('validate', 12)).toBe('  ✓ validate                 12 ms');
    expect(stepLine('process-external', null, 'failed')).toBe('  ✗ process-external');
    expect(stepLine('third-party', null, 'cancelled')).toBe('  ⊘ third-party');
  });

  test('Web UI links: the configured UI; else the dev server (port + 1000) or Compose (7070), whichever knows the run', async () => {
    expect(webUiCandidates('localhost:7233')).toEqual(['http://localhost:8233', 'http://localhost:7070']);
    expect(webUiCandidates('127.0.0.1:40001')).toEqual(['http://127.0.0.1:41001', 'http://127.0.0.1:7070']);
    expect(await webUiLinkFor('localhost:7233', 'http://ui.internal', 'default', 'wf', 'run')).toBe(
      'http://ui.internal/namespaces/default/workflows/wf/run/history',
    );
    expect(await webUiLinkFor('temporal.internal:7233', undefined, 'default', 'wf', 'run')).toBe('(set TEMPORAL_UI_URL to link to your Web UI)');
    expect(webUiLink('http://localhost:7070', 'default', 'multi-server-abc', 'run-1')).toBe(
      'http://localhost:7070/namespaces/default/workflows/multi-server-abc/run-1/history',
    );
  });

  const unavailable = () => {
    const http = ApplicationFailure.create({
      type: FailureType.unreachable,
      message: 'server-b GET /ping failed: server-b is unreachable at http://localhost:3002 (ECONNREFUSED)',
    });
    const activity = new ActivityFailure('Activity task failed', 'checkHealth', '2', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker', http);
    return ApplicationFailure.create({
      type: FailureType.serviceUnavailable,
      message: `server-b stayed unavailable for longer than the outage limit of 2 min: ${http.message}`,
      nonRetryable: true,
      cause: activity,
    });
  };

  test('a failure chain names the step, the service and why', () => {
    const { failedStep, failures } = failureOutcome(
      'wf-1',
      'run-1',
      new WorkflowFailedError('Workflow execution failed', unavailable(), RetryState.NON_RETRYABLE_FAILURE),
    );
    expect({ step: failedStep, lines: failureLines(failures) }).toEqual({
      step: 'health-check',
      lines: [
        'Workflow execution failed',
        'ServiceUnavailable: server-b stayed unavailable for longer than the outage limit of 2 min: server-b GET /ping failed: server-b is unreachable at http://localhost:3002 (ECONNREFUSED) [not retried]',
        'Activity checkHealth gave up (MAXIMUM_ATTEMPTS_REACHED)',
        'ServiceUnreachable: server-b GET /ping failed: server-b is unreachable at http://localhost:3002 (ECONNREFUSED)',
      ],
    });
  });

  test('--json failure objects carry the status, the step and the whole chain', () => {
    expect(failureOutcome('wf-1', 'run-1', unavailable())).toEqual({
      workflowId: 'wf-1',
      runId: 'run-1',
      status: 'failed',
      failedStep: 'health-check',
      failures: [
        expect.objectContaining({ kind: 'ApplicationFailure', type: 'ServiceUnavailable', nonRetryable: true }),
        { kind: 'ActivityFailure', message: 'Activity task failed', activityType: 'checkHealth', retryState: 'MAXIMUM_ATTEMPTS_REACHED' },
        expect.objectContaining({ kind: 'ApplicationFailure', type: 'ServiceUnreachable', nonRetryable: false }),
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
    const { failedStep, failures } = failureOutcome('wf-1', 'run-1', failure);
    expect({ step: failedStep, lines: failureLines(failures) }).toEqual({
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
  const extra: RunningService[] = [];

  beforeAll(async () => {
    temporalConnections = await connectToTemporal();
    serverA = await startServerA();
    serverB = await startServerB();
    await workflowBundle();
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close(0)));
  });
  afterAll(async () => {
    await serverA?.close();
    await serverB?.close();
    await temporalConnections?.close();
  });

  async function runWithWorker(
    args: string[],
    options: { urls?: { 'server-a': string; 'server-b': string }; env?: Record<string, string>; onStdout?: (stdout: string, child: ChildProcess) => void } = {},
  ): Promise<Finished> {
    const taskQueue = uniqueTaskQueue('cli');
    const worker = await testWorker(temporalConnections, taskQueue, options.urls ?? { 'server-a': serverA.url, 'server-b': serverB.url });
    return worker.runUntil(() => runCli(args, { ...temporalEnv(taskQueue), ...options.env }, options.onStdout));
  }

  /** The link the CLI printed, checked through the Web UI's own API (its pages answer 200 for any path). */
  async function expectLinkToRun(output: string, status: string): Promise<void> {
    const match = /(http:\/\/\S+)\/namespaces\/([^/]+)\/workflows\/([^/]+)\/([^/]+)\/history/.exec(output);
    expect(match, output).not.toBeNull();
    const [, ui, namespace, workflowId, runId] = match!;
    const known = await fetch(runApiUrl(ui!, namespace!, workflowId!, runId!));
    expect(known.status).toBe(200);
    expect(((await known.json()) as { workflowExecutionInfo: { status: string } }).workflowExecutionInfo.status).toBe(status);
    const unknown = await fetch(runApiUrl(ui!, namespace!, `${workflowId}-unknown`, runId!));
    expect(unknown.status).toBe(404);
  }

  test('"hello" multi prints the ids, a Web UI link that opens this run, every step and the result; exit 0', async () => {
    if (!temporal.available) throw new Error('unreachable');
    // As with a .env copied from .env.example: no TEMPORAL_UI_URL, the client finds the dev server's UI.
    const run = await runWithWorker(['hello', 'multi'], { env: { TEMPORAL_UI_URL: '' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Started multiServerWorkflow with data "hello"');
    expect(run.stdout).toMatch(/Workflow ID {2}multi-server-[\w-]{21}\n/);
    const port = Number(temporal.address.split(':').at(-1));
    expect(run.stdout).toContain(`Web UI       http://127.0.0.1:${port + 1000}/namespaces/${temporal.namespace}/workflows/multi-server-`);
    await expectLinkToRun(run.stdout, 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
    for (const step of ['validate', 'health-check', 'process-internal', 'process-external', 'enrich', 'combine']) {
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

  test('--third-party runs the extra step end to end and shows its answer', async () => {
    const run = await runWithWorker(['abc', '--third-party']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ third-party +\d+ ms/);
    expect(run.stdout).toContain('Third party  answered in 0 ms: "cba"');
  });

  test('"…" publish renders the saga: published, with the record and the publication', async () => {
    const run = await runWithWorker(['Fresh news about the order', 'publish']);
    expect(run.code).toBe(0);
    for (const step of ['validate', 'process-internal', 'reserve-record', 'submit-publication', 'confirm-publication', 'commit-record']) {
      expect(run.stdout).toMatch(new RegExp(`✓ ${step} +\\d+ ms`));
    }
    expect(run.stdout).toContain('Published (saga completed)');
    expect(run.stdout).toMatch(/Record {7}rec_\S+ \(committed on server-a\)/);
    expect(run.stdout).toMatch(/Publication {2}pub_\S+ \(published on server-b\)/);
  });

  test("a publish refused by Server B's rules completes as rejected and lists the compensations that ran; exit 0", async () => {
    const run = await runWithWorker(['Cheap spam offer', 'publish']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✗ submit-publication');
    expect(run.stdout).toContain('Rejected by server-b (a business outcome; everything was undone)');
    expect(run.stdout).toContain('Rule         no-banned-words');
    expect(run.stdout).toContain('Compensations');
    expect(run.stdout).toMatch(/withdraw-publication +nothing-to-undo/);
    expect(run.stdout).toMatch(/release-record +undone \(rec_\S+\)/);
  });

  test('steps are shown while the run is still going, not only at the end', async () => {
    const held = gate('/process-internal');
    const a = await startServerA({ before: held.middleware });
    extra.push(a);
    let seenWhileHeld = '';
    const run = await runWithWorker(['live progress'], {
      urls: { 'server-a': a.url, 'server-b': serverB.url },
      onStdout: (stdout) => {
        // process-internal is held at Server A: whatever is printed now came from the progress query.
        if (!seenWhileHeld && /✓ health-check/.test(stdout)) {
          seenWhileHeld = stdout;
          held.release();
        }
      },
    });
    expect(run.code).toBe(0);
    expect(seenWhileHeld).toMatch(/✓ validate +\d+ ms/);
    expect(seenWhileHeld).not.toContain('process-internal');
    expect(seenWhileHeld).not.toContain('Result');
  });

  test('--json prints only the result as JSON', async () => {
    const run = await runWithWorker(['hello', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { workflow: string; summary: { category: string; score: number } };
    expect(result.workflow).toBe('multiServerWorkflow');
    expect(result.summary).toMatchObject({ category: 'greeting', score: 53 });
    expect(run.stderr).toContain('Workflow ID  multi-server-');
  });

  test('invalid data ("") fails with a readable validation message, a link to the failed run; exit 1', async () => {
    const run = await runWithWorker(['', 'multi'], { env: { TEMPORAL_UI_URL: '' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ validate');
    expect(run.stdout).toContain('Workflow failed at step "validate":');
    expect(run.stdout).toContain('ValidationFailed: Input rejected by server-a /validate: data must not be empty or only whitespace [not retried]');
    expect(run.stdout).toContain('- data: data must not be empty or only whitespace (EMPTY)');
    expect(run.stdout).toMatch(/Full history: http:\/\/\S+\/history/);
    await expectLinkToRun(run.stdout.slice(run.stdout.indexOf('Full history')), 'WORKFLOW_EXECUTION_STATUS_FAILED');
  });

  test('--json on a failed run prints a JSON failure object on stdout; exit 1', async () => {
    const run = await runWithWorker(['<b>', '--json']);
    expect(run.code).toBe(1);
    const outcome = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(outcome).toMatchObject({
      workflowId: expect.stringMatching(/^multi-server-/),
      runId: expect.any(String),
      status: 'failed',
      failedStep: 'validate',
      failures: [
        {
          kind: 'ApplicationFailure',
          type: 'ValidationFailed',
          message: 'Input rejected by server-a /validate: data contains characters that are not allowed: "<", ">"',
          nonRetryable: true,
        },
      ],
    });
    expect(run.stderr).toContain('Workflow failed at step "validate":');
  });

  test('a service down past --outage-limit fails the run at its health check; exit 1', async () => {
    const gone = await startServerB();
    await gone.close();
    const run = await runWithWorker(['hello', '--outage-limit', '1s'], { urls: { 'server-a': serverA.url, 'server-b': gone.url } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Workflow failed at step "health-check":');
    expect(run.stdout).toContain(
      `ServiceUnavailable: server-b stayed unavailable for longer than the outage limit of 1 s: server-b GET /ping failed: server-b is unreachable at ${gone.url} (ECONNREFUSED) [not retried]`,
    );
  });

  test('a run cancelled from another client is reported as cancelled at its step; exit 1', async () => {
    const slowB = await startServerB({ thirdParty: { latencyMs: 20_000 } });
    extra.push(slowB);
    let cancelled = false;
    let cancelProblem: unknown;
    const run = await runWithWorker(['slow', '--third-party'], {
      urls: { 'server-a': serverA.url, 'server-b': slowB.url },
      onStdout: (stdout) => {
        const workflowId = /Workflow ID {2}(\S+)/.exec(stdout)?.[1];
        if (cancelled || !workflowId || !stdout.includes('✓ enrich')) return;
        cancelled = true;
        // Cancel once Server B holds the third-party call, by its own record.
        const deadline = Date.now() + 20_000;
        void (async () => {
          while ((await statusOf(slowB)).endpoints['POST /third-party-api']?.inFlight !== 1) {
            if (Date.now() > deadline) throw new Error('Server B never had the third-party call in flight');
            await sleep(50);
          }
          await temporalConnections.client.workflow.getHandle(workflowId).cancel();
        })().catch((error: unknown) => (cancelProblem = error));
      },
    });
    expect(cancelProblem).toBeUndefined();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('⊘ third-party');
    expect(run.stdout).toContain('Workflow was cancelled at step "third-party":');
    expect((await statusOf(slowB)).endpoints['POST /third-party-api']).toMatchObject({ aborted: 1, inFlight: 0 });
  });

  test('a namespace that does not exist is a configuration error: exit 2 naming TEMPORAL_NAMESPACE', async () => {
    const run = await runWithWorker(['hello'], { env: { TEMPORAL_NAMESPACE: 'no-such-namespace' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Namespace "no-such-namespace" does not exist');
    expect(run.stderr).toContain('check TEMPORAL_NAMESPACE');
  });

  test('losing contact with Temporal while waiting exits 4, saying the workflow goes on', async () => {
    if (!temporal.available) throw new Error('unreachable');
    // The client reaches Temporal through this proxy; cutting it mid-wait is losing contact.
    const [host, port] = [temporal.address.slice(0, temporal.address.lastIndexOf(':')), Number(temporal.address.split(':').at(-1))];
    const sockets = new Set<Socket>();
    const proxy = createServer((inbound) => {
      const outbound = connect(port, host);
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => sockets.delete(socket));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const taskQueue = uniqueTaskQueue('lost-contact');
    let cut = false;
    const run = await runCli(['hello'], { ...temporalEnv(taskQueue), TEMPORAL_ADDRESS: proxied }, (stdout) => {
      if (cut || !stdout.includes('runs as soon as a worker is up')) return;
      cut = true;
      proxy.close();
      for (const socket of sockets) socket.destroy();
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('Lost contact with Temporal while waiting for the result');
    expect(run.stderr).toContain('The workflow keeps running in Temporal');
    const workflowId = /Workflow ID {2}(\S+)/.exec(run.stdout)?.[1];
    const handle = temporalConnections.client.workflow.getHandle(workflowId!);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test cleanup');
  });

  test('with no worker it says so, and Ctrl-C stops watching while the workflow stays in Temporal', async () => {
    const taskQueue = uniqueTaskQueue('no-worker');
    const run = await runCli(['hello'], temporalEnv(taskQueue), (stdout, child) => {
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
