// Builds the workers for a role: the workflows on the workflow task queue, each service's activities on that
// service's queue; `all` is all three in one process. The entry point and the tests both use it, so tests run
// exactly what production registers.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { WorkerRole } from '../../shared/config.ts';
import { ServiceName } from '../../shared/contract.ts';
import type { Tracing } from '../../shared/tracing/setup.ts';
import { type Activities, activitiesOf, createActivities } from '../activities/index.ts';
import { createServiceClients } from '../activities/service-clients.ts';
import { serviceTaskQueue } from '../activities/types.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Every workflow runs with these (steps, progress, the outage rule, routing): part of every bundle of WORKFLOWS_PATH. */
export const WORKFLOW_INTERCEPTORS = fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url));
/** Running activities get this long to finish after a shutdown request before they are cancelled. */
export const SHUTDOWN_GRACE = '10s';
/** After this, the worker stops waiting for a clean shutdown. */
const SHUTDOWN_FORCE = '30s';
/** A cancellation reaches an activity only in the answer to a heartbeat, which the SDK sends at most every
 *  min(0.8 × heartbeat timeout, this), or this often for a call without one: one second keeps cancelling prompt,
 *  at one small RPC a second. */
const HEARTBEAT_THROTTLE = '1s';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  /** The workflows' task queue; each service's activities poll the queue named after it. */
  taskQueue: string;
  role?: WorkerRole;
  serverUrls: Record<ServiceName, string>;
  /** The services' shared secret (SERVICE_TOKEN), when they require one. */
  serviceToken?: string | undefined;
  /** A pre-built bundle (tests bundle once for many workers); by default the worker bundles WORKFLOWS_PATH. */
  workflowBundle?: { code: string };
  identity?: string;
  /** Payload encryption (codec/data-converter.ts). */
  dataConverter?: DataConverter | undefined;
  /** Replaces the real activities (tests reach failure paths without the services). */
  activities?: Partial<Activities>;
  /** Traces workflows and activities into this; off when absent. A pre-built bundle must then include
   *  TRACING_WORKFLOW_MODULE (tracing.ts) among its workflowInterceptorModules. */
  tracing?: Pick<Tracing, 'resource' | 'spanProcessor'> | undefined;
}

/** What a role polls, for its start-up log line: "workflows, server-a, server-b" (each service on its own queue). */
export function rolePolls(role: WorkerRole): string {
  return role === 'all' ? ['workflows', ...ServiceName.options].join(', ') : role === 'orchestrator' ? 'workflows' : role;
}

export async function createWorker(setup: WorkerSetup): Promise<WorkerGroup> {
  const role = setup.role ?? 'all';
  // Loaded only when tracing is on: the OpenTelemetry SDK it pulls in slows every start (docs/performance.md).
  const tracing = setup.tracing && (await import('../tracing.ts')).workerTracing(setup.tracing);
  const common = {
    connection: setup.connection,
    namespace: setup.namespace,
    ...(setup.identity ? { identity: setup.identity } : {}),
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
    ...tracing,
    shutdownGraceTime: SHUTDOWN_GRACE,
    shutdownForceTime: SHUTDOWN_FORCE,
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
  };
  const services = role === 'all' ? ServiceName.options : role === 'orchestrator' ? [] : [role];
  // One set of HTTP clients (and connection pools) per process, whatever its roles.
  const clients = services.length > 0 ? createServiceClients(setup.serverUrls, setup.serviceToken) : undefined;
  // Tests replace some activities (to reach failure paths without the services): only where they are registered.
  const withReplaced = <A extends object>(activities: A): A =>
    ({ ...activities, ...Object.fromEntries(Object.entries(setup.activities ?? {}).filter(([name]) => name in activities)) }) as A;
  const creating: Promise<Worker>[] = [];
  if (role === 'all' || role === 'orchestrator') {
    const interceptors = { ...tracing?.interceptors, workflowModules: [WORKFLOW_INTERCEPTORS, ...(tracing?.interceptors?.workflowModules ?? [])] };
    creating.push(
      Worker.create({
        ...common,
        taskQueue: setup.taskQueue,
        ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH, interceptors }),
        // Runs started before the per-service queues (patches.ts) still call on the workflows' own queue.
        ...(role === 'all' && clients && { activities: withReplaced(createActivities(clients)) }),
      }),
    );
  }
  for (const service of services) {
    const activities = withReplaced(activitiesOf(service, clients!));
    creating.push(Worker.create({ ...common, taskQueue: serviceTaskQueue(setup.taskQueue, service), activities }));
  }
  const created = await Promise.allSettled(creating);
  const workers = created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const failed = created.find((c) => c.status === 'rejected');
  if (failed) {
    // The ones made hold native resources until they have run and shut down.
    await new WorkerGroup(workers).runUntil(() => Promise.resolve());
    throw failed.reason;
  }
  return new WorkerGroup(workers);
}

/** The SDK workers of one process, run and stopped together. */
class WorkerGroup {
  readonly workers: Worker[];

  constructor(workers: Worker[]) {
    this.workers = workers;
  }

  /** Polls until shutdown() (or a signal), then drains; rejects if any of them fails. */
  async run(): Promise<void> {
    const runs = this.workers.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } catch (error) {
      // One failed: the others must not keep polling a role the process no longer fully serves.
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    }
  }

  /** Runs the workers while `body` runs, then shuts them down: the SDK's Worker.runUntil for a group. */
  async runUntil<T>(body: () => Promise<T>): Promise<T> {
    const running = this.run();
    // A worker that fails (or stops) before the body is done fails the call: the body would wait forever.
    const stoppedEarly = running.then(() => Promise.reject(new Error('the workers stopped before the work was done')));
    try {
      return await Promise.race([body(), stoppedEarly]);
    } finally {
      this.shutdown();
      await running.catch(() => {});
    }
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}
