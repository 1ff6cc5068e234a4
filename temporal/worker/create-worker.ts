// Builds the worker: every workflow, every activity, and the shutdown behaviour. The worker entry
// point and the tests both use this, so tests run exactly what production registers.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { ServiceName } from '../../shared/api.ts';
import type { Tracing } from '../../shared/tracing/setup.ts';
import { type Activities, createActivities } from '../activities/index.ts';
import { createServiceClients } from '../activities/service-clients.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Running activities get this long to finish after a shutdown request before they are cancelled. */
export const SHUTDOWN_GRACE = '10s';
/** After this, the worker stops waiting for a clean shutdown. */
export const SHUTDOWN_FORCE = '30s';
/**
 * The SDK sends heartbeats at most every min(0.8 × heartbeat timeout, this) (4 s for the 5 s timeout of
 * activity-options.ts), and a cancellation only reaches an activity in the answer to a heartbeat. One
 * second keeps cancelling a run prompt, at one small RPC a second for calls that wait that long.
 */
export const HEARTBEAT_THROTTLE = '1s';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  serverUrls: Record<ServiceName, string>;
  /** The services' shared secret (SERVICE_TOKEN), when they require one. */
  serviceToken?: string | undefined;
  /** A pre-built bundle (tests bundle once and start many workers); by default the worker bundles WORKFLOWS_PATH. */
  workflowBundle?: { code: string };
  /** Shown in the event history for every task this worker completes; the SDK's pid@host by default. */
  identity?: string;
  /** Payload encryption (codec/data-converter.ts); the SDK's default converter when absent. */
  dataConverter?: DataConverter | undefined;
  /** Replaces the real activities (tests reach failure paths without the services). */
  activities?: Partial<Activities>;
  /**
   * Traces workflows and activities into this (shared/tracing/setup.ts); off when absent. A pre-built
   * bundle must then include TRACING_WORKFLOW_MODULE (tracing.ts) among its workflowInterceptorModules.
   */
  tracing?: Pick<Tracing, 'resource' | 'spanProcessor'> | undefined;
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  // Loaded only when tracing is on: the OpenTelemetry SDK it pulls in slows every start (docs/performance.md).
  const tracing = setup.tracing && (await import('../tracing.ts')).workerTracing(setup.tracing);
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: { ...createActivities(createServiceClients(setup.serverUrls, setup.serviceToken)), ...setup.activities },
    ...(setup.identity ? { identity: setup.identity } : {}),
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
    ...tracing,
    shutdownGraceTime: SHUTDOWN_GRACE,
    shutdownForceTime: SHUTDOWN_FORCE,
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
  });
}
