// Builds the worker for a role: the workflows on the workflow task queue, and each service's activities on
// that service's queue (workflows/task-queues.ts), with the shutdown behaviour. Role `all` is all three in
// one process; `orchestrator`, `server-a` and `server-b` each poll only their share. The worker entry point
// and the tests both use this, so tests run exactly what production registers.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { ServiceName } from '../../shared/api.ts';
import type { WorkerRole } from '../../shared/config.ts';
import type { Tracing } from '../../shared/tracing/setup.ts';
import { type Activities, createActivities } from '../activities/index.ts';
import { activitiesOf } from '../activities/ownership.ts';
import { createServiceClients } from '../activities/service-clients.ts';
import { SERVICE_NAMES, serviceTaskQueue } from '../workflows/task-queues.ts';

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
  /** The workflows' task queue; each service's activities poll the queue named after it. */
  taskQueue: string;
  /** `all` unless told otherwise. */
  role?: WorkerRole;
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

/** What a role polls, for its start-up log line: "workflows, server-a, server-b" (each service on its own queue). */
export function rolePolls(role: WorkerRole): string {
  return role === 'all' ? ['workflows', ...SERVICE_NAMES].join(', ') : role === 'orchestrator' ? 'workflows' : role;
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
  };
  const services = role === 'all' ? SERVICE_NAMES : role === 'orchestrator' ? [] : [role];
  // One set of HTTP clients (and connection pools) per process, whatever its roles.
  const activities = services.length > 0 ? { ...createActivities(createServiceClients(setup.serverUrls, setup.serviceToken)), ...setup.activities } : {};
  const creating: Promise<Worker>[] = [];
  if (role === 'all' || role === 'orchestrator') {
    creating.push(
      Worker.create({
        ...common,
        taskQueue: setup.taskQueue,
        ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
        // Runs started before the per-service queues (patches.ts) still call on the workflows' own queue.
        ...(role === 'all' && { activities }),
      }),
    );
  }
  for (const service of services) {
    creating.push(Worker.create({ ...common, taskQueue: serviceTaskQueue(setup.taskQueue, service), activities: activitiesOf(activities, service) }));
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
export class WorkerGroup {
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
    let stoppedEarly = true;
    const bodyDone = body().finally(() => {
      stoppedEarly = false;
      this.shutdown();
    });
    // A worker that fails (or stops) before the body is done fails the call: the body would wait forever.
    const early = running.then(() => {
      if (stoppedEarly) throw new Error('the workers stopped before the work was done');
    });
    try {
      return await Promise.race([bodyDone, early.then(() => bodyDone)]);
    } finally {
      this.shutdown();
      await running.catch(() => {});
    }
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}
