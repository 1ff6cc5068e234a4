// What the workflow tests share: the Temporal server found by global-setup, a client and worker
// connection to it, one workflow bundle per test file, and workers with the production setup.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { nanoid } from 'nanoid';
import { inject } from 'vitest';
import type { ServiceName } from '../../shared/contract.ts';
import type { WorkerRole } from '../../shared/config.ts';
import type { Activities } from '../../temporal/activities/index.ts';
import { existingCli } from '../../temporal/dev/temporal-cli.ts';
import { TRACING_WORKFLOW_MODULE } from '../../temporal/tracing.ts';
import { createWorker, WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH, type WorkerSetup } from '../../temporal/worker/create-worker.ts';

export { TEMPORAL_TAG } from './tag.ts';

export const temporal = inject('temporal');

/** A `temporal` CLI that is already on this machine (never built here: that takes minutes), if any. */
export const localCli = existingCli(process.env.TEMPORAL_CLI_PATH?.trim() || undefined);

/** Environment for a child process (CLI, scripts) that should use the suite's server. */
export function temporalEnv(taskQueue: string): Record<string, string> {
  if (!temporal.available) throw new Error('no Temporal server for this run');
  return {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The suite's dev server's UI; tests of the client's own discovery set this to '' (as .env.example does).
    TEMPORAL_UI_URL: temporal.uiUrl ?? '',
  };
}

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
    // Only errors from the SDK: failed attempts (retries against stopped services) are what these tests provoke.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
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
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS], logger: new DefaultLogger('WARN') });
  return bundle;
}

let tracedBundle: Promise<{ code: string }> | undefined;
/** The production workflow code with the SDK's OpenTelemetry workflow interceptors, as a tracing worker bundles it. */
export function tracedWorkflowBundle(): Promise<{ code: string }> {
  tracedBundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [WORKFLOW_INTERCEPTORS, TRACING_WORKFLOW_MODULE],
    logger: new DefaultLogger('WARN'),
  });
  return tracedBundle;
}

export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${nanoid(8)}`;
}

export interface TestWorkerOptions {
  identity?: string;
  /** `all` unless told otherwise: a split layout is one testWorker per role. */
  role?: WorkerRole;
  /** Replaces some activities, to reach failure paths without the services. */
  activities?: Partial<Activities>;
  /** Traces workflows and activities into this; the worker then runs tracedWorkflowBundle(). */
  tracing?: WorkerSetup['tracing'];
}

/** A worker with the production registrations, polling `taskQueue` and calling the services at `urls`. */
export async function testWorker(connections: TemporalConnections, taskQueue: string, urls: Record<ServiceName, string>, options: TestWorkerOptions = {}) {
  return createWorker({
    connection: connections.nativeConnection,
    namespace: connections.namespace,
    taskQueue,
    serverUrls: urls,
    workflowBundle: await (options.tracing ? tracedWorkflowBundle() : workflowBundle()),
    ...options,
  });
}
