// Builds the worker: every workflow, every activity, and the shutdown behaviour. The worker entry
// point and the tests both use this, so tests run exactly what production registers.
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { ServiceName } from '../shared/api.ts';
import { createActivities } from './activities.ts';
import { createServiceClients } from './service-clients.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
/** Running activities get this long to finish after a shutdown request before they are cancelled. */
export const SHUTDOWN_GRACE = '10s';
/** After this, the worker stops waiting for a clean shutdown. */
export const SHUTDOWN_FORCE = '30s';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  serverUrls: Record<ServiceName, string>;
  /** A pre-built bundle (tests bundle once and start many workers); by default the worker bundles WORKFLOWS_PATH. */
  workflowBundle?: { code: string };
}

export function createWorker(setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(createServiceClients(setup.serverUrls)),
    shutdownGraceTime: SHUTDOWN_GRACE,
    shutdownForceTime: SHUTDOWN_FORCE,
  });
}
