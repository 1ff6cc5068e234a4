// The scaffolding every workflow test file shares: one connection to the suite's Temporal server,
// real services that are stopped after each test, a worker per test, and typed starts by kind.
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ServiceName } from '../../shared/contract.ts';
import type { RunningService } from '../../shared/service/serve.ts';
import { WORKFLOW_KINDS, type WorkflowKind } from '../../temporal/workflows/kinds.ts';
import type { MultiServerInput } from '../../temporal/workflows/multi-server.ts';
import { connectToTemporal, type TemporalConnections, testWorker, type TestWorkerOptions, workflowBundle } from './temporal.ts';

export function workflowSuite() {
  let connections: TemporalConnections | undefined;
  const started: RunningService[] = [];

  beforeAll(async () => {
    connections = await connectToTemporal();
    await workflowBundle();
  });
  afterAll(async () => {
    await connections?.close();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close(0)));
  });

  const suite = {
    get connections(): TemporalConnections {
      if (!connections) throw new Error('not connected yet');
      return connections;
    },
    get client() {
      return suite.connections.client;
    },
    /** Starts a service that is closed after the test. */
    async track(service: Promise<RunningService>): Promise<RunningService> {
      const running = await service;
      started.push(running);
      return running;
    },
    /** Runs a worker for `taskQueue` against the given service URLs while `body` runs. */
    async withWorker<T>(taskQueue: string, urls: Record<ServiceName, string>, body: () => Promise<T>, options: TestWorkerOptions = {}): Promise<T> {
      const worker = await testWorker(suite.connections, taskQueue, urls, options);
      return worker.runUntil(body);
    },
    /** Starts a workflow by kind, with the same typed call as the CLI. */
    start(kind: WorkflowKind, taskQueue: string, input: MultiServerInput): Promise<WorkflowHandle> {
      const { workflow, idPrefix } = WORKFLOW_KINDS[kind];
      return suite.client.workflow.start(workflow as typeof WORKFLOW_KINDS.multi.workflow, {
        taskQueue,
        workflowId: `${idPrefix}-${taskQueue}`,
        args: [input],
      });
    },
  };
  return suite;
}

/** The failure a workflow ended with (the test fails if it completed). */
export async function failureOf(handle: WorkflowHandle): Promise<unknown> {
  return handle.result().then(
    () => {
      throw new Error(`workflow ${handle.workflowId} completed, but a failure was expected`);
    },
    (error: unknown) => error,
  );
}
