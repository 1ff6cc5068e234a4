// Part of `npm start`: waits until Temporal, both services and a worker are ready, then runs the
// multi-server workflow once through the real CLI client. The rest of the stack keeps running.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, orExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { connectionOptions } from '../temporal/connection-options.ts';
import { workerIsPolling } from '../temporal/task-queue.ts';
import { waitForTemporal } from '../temporal/wait-for-temporal.ts';

/** How long the services and the worker may take to come up (the worker bundles the workflows first). */
const READY_TIMEOUT_MS = 120_000;
const POLL_MS = 500;

const config = orExit(loadConfig);
const logger = createLogger('start', config.logLevel, config.logFormat);
const { address, namespace, taskQueue } = config.temporal;

const connection = await waitForTemporal(address, () => Connection.connect(connectionOptions(config.temporal)), logger);
const client = new Client({ connection, namespace });
await until('Server A and Server B answer /ping', async () => (await pings(config.serverA.url)) && (await pings(config.serverB.url)));
await until(`a worker polls task queue "${taskQueue}"`, async () => (await workerIsPolling(client, taskQueue)) === true);
await connection.close();

const child = spawn(process.execPath, ['temporal/client.ts'], { stdio: 'inherit' });
child.on('exit', (code) => {
  console.log(`
The stack keeps running. In another terminal, try:
  npx node temporal/client.ts "your data" simple      (or: npm run client -- "your data" simple)
Ctrl-C here stops everything.`);
  process.exit(code ?? 1);
});

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  logger.info(`waiting until ${what}`);
  while (!(await check())) {
    if (Date.now() > deadline) {
      logger.error(`gave up after ${READY_TIMEOUT_MS / 1000} s waiting until ${what}; see the other processes' output`);
      process.exit(1);
    }
    await sleep(POLL_MS);
  }
}

function pings(baseUrl: string): Promise<boolean> {
  return fetch(`${baseUrl}/ping`, { signal: AbortSignal.timeout(2_000) })
    .then((res) => res.ok)
    .catch(() => false);
}
