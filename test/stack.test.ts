// `npm start` and `npm run dev:all` for real: the processes start, a workflow completes, and a
// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops every one of them.
// The stack uses the suite's Temporal server, so it starts no dev server of its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { fullServer, TEMPORAL_TAG, temporal, uniqueTaskQueue } from './support/temporal.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Starting four processes and bundling the workflows takes a while on a small machine.
describe.skipIf(!fullServer)(`${TEMPORAL_TAG} one-terminal stack`, { timeout: 180_000 }, () => {
  const groups: number[] = [];
  afterEach(() => {
    for (const pid of groups.splice(0)) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  });

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
    const child: ChildProcess = spawn(process.execPath, ['scripts/stack.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    groups.push(child.pid!);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += String(chunk)));
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const waitFor = async (text: string | RegExp, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(typeof text === 'string' ? output.includes(text) : text.test(output))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; output so far:\n${output}`);
        await sleep(100);
      }
    };
    /** Ctrl-C: SIGINT to every process of the group. */
    const ctrlC = async () => {
      process.kill(-child.pid!, 'SIGINT');
      const code = await exited;
      await expect.poll(() => groupAlive(child.pid!), { timeout: 15_000 }).toBe(false);
      return code;
    };
    return { output: () => output, waitFor, ctrlC };
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

    const client = spawn(process.execPath, ['temporal/client.ts', 'from another terminal', 'simple', '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    client.stdout.on('data', (chunk) => (stdout += String(chunk)));
    const code = await new Promise((resolve) => client.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ workflow: 'simpleWorkflow', summary: { normalized: 'from another terminal' } });

    expect(await stack.ctrlC()).toBe(0);
    expect(stack.output()).toMatch(/\[worker\].*"msg":"worker stopped"/);
  });
});
