// The stack the developer is running (npm start, npm run dev:all), as the load test and the benchmark
// find it: the configured Temporal server, namespace, task queue and encryption, and a worker polling.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../shared/config.ts';
import { dataConverterFor } from '../../temporal/codec/data-converter.ts';
import { connectionOptions } from '../../temporal/connection-options.ts';
import { workerIsPolling } from '../../temporal/task-queue.ts';

export interface RunningStack {
  client: Client;
  taskQueue: string;
  close: () => Promise<void>;
}

/** The running stack, or why it cannot be used: Temporal does not answer, or no worker polls the task queue. */
export async function findRunningStack(config: Config): Promise<RunningStack | { problem: string }> {
  const { address, namespace, taskQueue } = config.temporal;
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: '5s' });
  } catch (error) {
    return { problem: `Temporal does not answer at ${address} (${(error as Error).message.split('\n')[0]})` };
  }
  const client = new Client({ connection, namespace, dataConverter: dataConverterFor(config.codec.keys) });
  if ((await workerIsPolling(client, taskQueue)) !== true) {
    await connection.close();
    return { problem: `no worker polls task queue "${taskQueue}" on ${address}` };
  }
  return { client, taskQueue, close: () => connection.close() };
}
