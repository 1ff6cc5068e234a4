// `npm start` and `npm run dev:all` for real: the processes start, a workflow completes, and a
// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops every one of them.
// The stack uses the suite's Temporal server, so it starts no dev server of its own.
import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { killLeftovers, runNode, startNode } from './support/processes.ts';
import { fullServer, TEMPORAL_TAG, temporal, uniqueTaskQueue } from './support/temporal.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Starting four processes and bundling the workflows takes a while on a small machine.
describe.skipIf(!fullServer)(`${TEMPORAL_TAG} one-terminal stack`, { timeout: 180_000 }, () => {
  afterEach(killLeftovers);

  async function stackEnv(): Promise<Record<string, string>> {
    if (!temporal.available) throw new Error('unreachable');
    const [portA, portB] = [await freePort(), await freePort()];
    return {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('stack'),
      TEMPORAL_UI_URL: 'http://ui.test',
      SERVER_A_PORT: String(portA),
      SERVER_B_PORT: String(portB),
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
    return { ...stack, waitFor: (text: string | RegExp) => stack.waitFor(text, 90_000), ctrlC };
  }

  test('npm start runs the multi-server workflow once, keeps the stack up, and Ctrl-C stops every process', async () => {
    const env = await stackEnv();
    const stack = startStack(['--run-workflow'], env);
    await stack.waitFor('The stack keeps running');
    const output = stack.output();
    expect(output).toContain(`Using the Temporal server that already answers at ${env.TEMPORAL_ADDRESS}`);
    expect(output).not.toContain('[temporal]');
    expect(output).toContain('[client] Started multiServerWorkflow with data "Hello from the Temporal multi-server demo"');
    expect(output).toMatch(/\[client\]\s+Web UI\s+http:\/\/ui\.test\/namespaces\/[^/]+\/workflows\/multi-server-/);
    expect(output).toContain('[client] Result (Server A + Server B)');
    expect(output).toContain('[client]   Category     greeting');

    // Still up after the workflow: Server A answers.
    const ping = await fetch(`${env.SERVER_A_URL}/ping`);
    expect(((await ping.json()) as { service: string }).service).toBe('server-a');

    expect(await stack.ctrlC()).toBe(0);
    const final = stack.output();
    expect(final).toMatch(/\[server-a\].*"msg":"stopped"/);
    expect(final).toMatch(/\[server-b\].*"msg":"stopped"/);
    expect(final).toMatch(/\[worker\].*"msg":"worker stopped"/);
    await expect(fetch(`${env.SERVER_A_URL}/ping`)).rejects.toThrow();
  });

  test('dev:all serves client runs from another terminal and stops cleanly on Ctrl-C', async () => {
    const env = await stackEnv();
    const stack = startStack([], env);
    await stack.waitFor(/\[worker\].*"msg":"worker polling"/);
    await stack.waitFor(/\[server-a\].*"msg":"listening"/);
    await stack.waitFor(/\[server-b\].*"msg":"listening"/);

    const client = await runNode('temporal/client.ts', ['from another terminal', 'simple', '--json'], env);
    expect(client.code).toBe(0);
    expect(JSON.parse(client.stdout)).toMatchObject({ workflow: 'simpleWorkflow', summary: { normalized: 'from another terminal' } });

    expect(await stack.ctrlC()).toBe(0);
    expect(stack.output()).toMatch(/\[worker\].*"msg":"worker stopped"/);
  });
});
