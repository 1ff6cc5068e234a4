// The long-running entry points as real processes, in the situations that need no Temporal server:
// waiting for Temporal, stopping while waiting, refusing bad settings, and the one-terminal stack
// stopping everything when one of its processes fails.
import { afterEach, expect, test } from 'vitest';
import { killLeftovers, startNode } from './support/processes.ts';
import { startServerA } from './support/services.ts';

afterEach(killLeftovers);

const start = (script: string, env: Record<string, string>) => startNode(script, [], { LOG_LEVEL: 'info', ...env });

/** An address on this machine where nothing listens. */
async function deadAddress(): Promise<string> {
  const closed = await startServerA();
  await closed.close();
  return `127.0.0.1:${closed.port}`;
}

test('the worker waits for Temporal visibly, and SIGTERM while waiting stops it with exit 0', async () => {
  const address = await deadAddress();
  const worker = start('temporal/worker.ts', { TEMPORAL_ADDRESS: address });
  await worker.waitFor(`"attempt":1,"of":60`);
  expect(worker.output()).toContain(`waiting for Temporal at ${address}`);
  // The native client's Rust error text, said the way a person would.
  expect(worker.output()).toContain('"error":"connection refused"');
  process.kill(worker.pid, 'SIGTERM');
  expect(await worker.exited).toBe(0);
  expect(worker.output()).toContain('stopped while waiting for Temporal');
});

test('the worker refuses a bad setting with exit 2 naming it', async () => {
  const worker = start('temporal/worker.ts', { TEMPORAL_TASK_QUEUE: 'has spaces' });
  expect(await worker.exited).toBe(2);
  expect(worker.output()).toContain('TEMPORAL_TASK_QUEUE must not contain spaces (got "has spaces")');
});

test('temporal:dev refuses a TEMPORAL_ADDRESS that is not this machine', async () => {
  const dev = start('scripts/temporal-dev.ts', { TEMPORAL_ADDRESS: 'temporal.example.invalid:7233' });
  expect(await dev.exited).toBe(2);
  expect(dev.output()).toContain('TEMPORAL_ADDRESS is temporal.example.invalid:7233, which is not this machine');
});

test('temporal:dev refuses a TEMPORAL_CLI_PATH that is not an executable', async () => {
  const dev = start('scripts/temporal-dev.ts', { TEMPORAL_ADDRESS: await deadAddress(), TEMPORAL_CLI_PATH: '/nonexistent/temporal' });
  expect(await dev.exited).toBe(2);
  expect(dev.output()).toContain('TEMPORAL_CLI_PATH="/nonexistent/temporal": not an executable file');
});

test.each([
  ['at an address elsewhere', async () => ({ TEMPORAL_ADDRESS: 'temporal.example.invalid:7233' })],
  // The dev server speaks plaintext only: a TLS address here is some proxy or server to wait for, not to start.
  ['reached over TLS on this machine', async () => ({ TEMPORAL_ADDRESS: await deadAddress(), TEMPORAL_TLS: 'true' })],
])('dev:all with Temporal %s starts no dev server, and stops every process and exits 1 when one of them fails', async (_name, temporalEnv) => {
  // Server A cannot listen on a port that is taken, which brings the whole stack down. The worker waits for Temporal meanwhile.
  const taken = await startServerA();
  try {
    const env = await temporalEnv();
    const stack = start('scripts/stack.ts', { ...env, SERVER_A_PORT: String(taken.port), SERVER_B_PORT: '0' });
    expect(await stack.exited).toBe(1);
    const output = stack.output();
    expect(output).toContain(`No Temporal server answers at ${env.TEMPORAL_ADDRESS} yet; the worker waits for it`);
    expect(output).not.toContain('[temporal]');
    expect(output).toContain(`cannot listen: port ${taken.port} is already in use`);
    expect(output).toContain('server-a exited (1); stopping the others');
    // Each was stopped: gracefully once started, or by the signal itself if it was still starting.
    for (const name of ['server-b', 'worker']) expect(output).toMatch(new RegExp(`\\[${name}\\] exec node \\S+ exited with code`));
    // Nothing of the stack is left running.
    await expect.poll(() => stack.groupAlive()).toBe(false);
  } finally {
    await taken.close();
  }
});

test('a service whose database cannot be opened says which file and variable, and exits 1', async () => {
  const service = start('server-b/index.ts', { SERVER_B_DB: '/dev/null/b.db', SERVER_B_PORT: '0' });
  expect(await service.exited).toBe(1);
  expect(service.output()).toContain('cannot start: the database /dev/null/b.db (SERVER_B_DB)');
  expect(service.output()).not.toContain('    at ');
});
