// `npm start` and `npm run dev:all` for real: the processes start, a workflow completes, and a
// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops every one of them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runApiUrl } from '../temporal/cli/web-ui.ts';
import { freeDevServerPort, freePort } from '../temporal/dev/free-port.ts';
import { killLeftovers, runNode, startNode } from './support/processes.ts';
import { localCli, TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from './support/temporal.ts';

// Starting four or five processes and bundling the workflows takes a while on a small machine.
describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} one-terminal stack`, { timeout: 180_000 }, () => {
  afterEach(killLeftovers);

  async function serviceEnv(): Promise<Record<string, string>> {
    const [portA, portB, portApi] = [await freePort(), await freePort(), await freePort()];
    // A tokens file of the test's own: the first run makes the development set, as a fresh clone's would.
    const tokens = join(await mkdtemp(join(tmpdir(), 'stack-tokens-')), 'api-tokens.json');
    return {
      API_TOKENS_FILE: tokens,
      API_TOKENS: '',
      SERVER_A_PORT: String(portA),
      SERVER_B_PORT: String(portB),
      API_PORT: String(portApi),
      SERVER_A_URL: `http://127.0.0.1:${portA}`,
      SERVER_B_URL: `http://127.0.0.1:${portB}`,
      LOG_LEVEL: 'info',
    };
  }

  /** Starts scripts/stack.ts in its own process group, like a terminal running `npm start`. */
  function startStack(args: string[], env: Record<string, string>) {
    const stack = startNode('scripts/stack.ts', args, env);
    /** Ctrl-C: SIGINT to every process of the group; resolves with the stack's exit code once all are gone. */
    const ctrlC = async () => {
      process.kill(-stack.pid, 'SIGINT');
      const code = await stack.exited;
      await expect.poll(() => stack.groupAlive(), { timeout: 15_000 }).toBe(false);
      return code;
    };
    return { ...stack, waitFor: (text: string | RegExp) => stack.waitFor(text, 120_000), ctrlC };
  }

  test.skipIf(!localCli)('npm start with no Temporal running starts its own dev server, runs the workflow once, and Ctrl-C stops every process', async () => {
    // A port pair where nothing listens, and a scratch database: the user's .temporal/ stays untouched.
    const port = await freeDevServerPort();
    const stateDir = await mkdtemp(join(tmpdir(), 'stack-test-'));
    try {
      const env = {
        ...(await serviceEnv()),
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue('own-server'),
        TEMPORAL_UI_URL: '',
        TEMPORAL_DEV_DB: join(stateDir, 'dev.db'),
      };
      const stack = startStack(['--run-workflow'], env);
      await stack.waitFor('The stack keeps running');
      const output = stack.output();
      expect(output).toContain(`No Temporal server at 127.0.0.1:${port}: starting a local dev server`);
      expect(output).toContain(`[temporal]   Web UI   http://localhost:${port + 1000}`);
      expect(output).toContain('[client] Result (Server A + Server B)');
      // The printed link opens this completed run in the dev server's own Web UI.
      const link = /\[client\]\s+Web UI\s+(http:\/\/\S+)\/namespaces\/([^/]+)\/workflows\/([^/]+)\/([^/]+)\/history/.exec(output);
      expect(link, output).not.toBeNull();
      const [, ui, namespace, workflowId, runId] = link!;
      expect(ui).toBe(`http://127.0.0.1:${port + 1000}`);
      const answer = await fetch(runApiUrl(ui!, namespace!, workflowId!, runId!));
      expect(((await answer.json()) as { workflowExecutionInfo: { status: string } }).workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');

      expect(await stack.ctrlC()).toBe(0);
      expect(stack.output()).toMatch(/\[temporal\] .*exited with code (0|SIGINT)/);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  test('npm start on a running Temporal uses it, keeps the stack up after the run, and Ctrl-C stops every process', async () => {
    const env = { ...(await serviceEnv()), ...temporalEnv(uniqueTaskQueue('stack')) };
    const stack = startStack(['--run-workflow'], env);
    await stack.waitFor('The stack keeps running');
    const output = stack.output();
    expect(output).toContain(`Using the Temporal server that already answers at ${env.TEMPORAL_ADDRESS}`);
    expect(output).not.toContain('[temporal]');
    expect(output).toContain('[client] Started multiServerWorkflow with data "Hello from the Temporal multi-server demo"');
    expect(output).toContain('[client] Result (Server A + Server B)');
    expect(output).toContain('[client]   Category     greeting');
    // The console: its address, the development tokens of the first run, and the run's page there from the client.
    const consoleUrl = `http://127.0.0.1:${env.API_PORT}/console/`;
    expect(output).toContain(`Console: ${consoleUrl}\nSign in with one of these development tokens`);
    const token = /^ {2}dev \(operator, reviewer\) {2}(tms_\S+)$/m.exec(output)?.[1];
    const session = await fetch(`http://127.0.0.1:${env.API_PORT}/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await session.json()).toMatchObject({ name: 'dev', roles: ['operator', 'reviewer'] });
    expect(output).toMatch(new RegExp(`\\[client\\] {3}Console {6}${consoleUrl}runs/multi-server-\\S+`));

    // Still up after the workflow: Server A answers.
    const ping = await fetch(`${env.SERVER_A_URL}/ping`);
    expect(((await ping.json()) as { service: string }).service).toBe('server-a');

    expect(await stack.ctrlC()).toBe(0);
    const final = stack.output();
    expect(final).toMatch(/\[server-a\].*INFO: stopped\b/);
    expect(final).toMatch(/\[server-b\].*INFO: stopped\b/);
    expect(final).toMatch(/\[worker\].*INFO: worker stopped\b/);
    await expect(fetch(`${env.SERVER_A_URL}/ping`)).rejects.toThrow();
  });

  test('dev:all serves client runs from another terminal and stops cleanly on Ctrl-C', async () => {
    const env = { ...(await serviceEnv()), ...temporalEnv(uniqueTaskQueue('dev-all')) };
    const stack = startStack([], env);
    await stack.waitFor(/\[worker\].*INFO: worker polling\b/);
    await stack.waitFor(/\[server-a\].*INFO: listening\b/);
    await stack.waitFor(/\[server-b\].*INFO: listening\b/);
    await stack.waitFor(/\[api\].*INFO: connected to Temporal\b/);
    const ping = await fetch(`http://127.0.0.1:${env.API_PORT}/ping`);
    expect(((await ping.json()) as { service: string }).service).toBe('api');

    const client = await runNode('temporal/client.ts', ['from another terminal', 'simple', '--json'], env);
    expect(client.code).toBe(0);
    expect(JSON.parse(client.stdout)).toMatchObject({ workflow: 'simpleWorkflow', summary: { normalized: 'from another terminal' } });

    expect(await stack.ctrlC()).toBe(0);
    expect(stack.output()).toMatch(/\[worker\].*INFO: worker stopped\b/);
    // Readable lines for people: no JSON objects, no task tokens, nothing a terminal would wrap many times.
    const lines = stack.output().split('\n');
    expect(lines.filter((line) => line.includes('{"level"'))).toEqual([]);
    expect(stack.output()).not.toContain('taskToken');
    // One step's two sides, matched by the correlation fields: the worker's call and the service's request.
    const call = /\[worker\].*INFO: service call succeeded attempt=1 activityId=(\d+) activityType=processInternal workflowId=(simple-\S+)/.exec(
      stack.output(),
    );
    expect(call).not.toBeNull();
    expect(stack.output()).toMatch(
      new RegExp(`\\[server-a\\].*INFO: request method=POST path=/process-internal status=200 .*workflowId=${call![2]} activityId=${call![1]} attempt=1`),
    );
    expect(lines.filter((line) => line.length > 300)).toEqual([]);
  });
});
