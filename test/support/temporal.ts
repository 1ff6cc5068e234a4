// What the workflow tests share: the Temporal server found by global-setup, a client and worker
// connection to it, one workflow bundle per test file, and fast retry settings.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { nanoid } from 'nanoid';
import { inject } from 'vitest';
import type { ServiceName } from '../../shared/api.ts';
import { createWorker, WORKFLOWS_PATH } from '../../temporal/create-worker.ts';
import type { RetryTuning } from '../../temporal/workflows/types.ts';

export { TEMPORAL_TAG } from './tag.ts';

export const temporal = inject('temporal');

/** The time-skipping test server does not implement DescribeTaskQueue, which the client's "no worker"
 *  notice and `npm start`'s readiness check use; tests of those need a full server. */
export const fullServer = temporal.available && !temporal.timeSkipping;

/** Short backoff so retry scenarios finish in seconds. */
export const FAST_RETRY: RetryTuning = { initialInterval: '200ms', maximumInterval: '1s' };

let runtimeInstalled = false;

export interface TemporalConnections {
  client: Client;
  nativeConnection: NativeConnection;
  namespace: string;
  close: () => Promise<void>;
}

export async function connectToTemporal(): Promise<TemporalConnections> {
  if (!temporal.available) throw new Error('no Temporal server for this run');
  if (!runtimeInstalled) {
    // Only warnings from the SDK; activity retries against stopped services are expected here.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const { address, namespace } = temporal;
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, namespace }),
    nativeConnection,
    namespace,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

let bundle: Promise<{ code: string }> | undefined;
/** The production workflow code, bundled once per test file. */
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${nanoid(8)}`;
}

/** A worker with the production registrations, polling `taskQueue` and calling the services at `urls`. */
export async function testWorker(connections: TemporalConnections, taskQueue: string, urls: Record<ServiceName, string>) {
  return createWorker({
    connection: connections.nativeConnection,
    namespace: connections.namespace,
    taskQueue,
    serverUrls: urls,
    workflowBundle: await workflowBundle(),
  });
}
