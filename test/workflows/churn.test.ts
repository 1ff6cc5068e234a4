// Runs under churn: workflows keep starting while Server B is killed twice and the worker once, each
// with SIGKILL (no graceful stop) and back as soon as the server shows runs meeting the blow. Every run must
// complete: an outage shorter than the outage limit is ridden out at any step, worker crashes included.
import type { WorkflowExecutionDescription } from '@temporalio/client';
import protos from '@temporalio/proto';
import { describe, expect, test } from 'vitest';
import { freePort } from '../../temporal/dev/free-port.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { activitiesOf, countEvents, eventsOf } from '../support/history.ts';
import { killLeftovers, type LongRunning, startNode } from '../support/processes.ts';
import { startServerA } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const { PendingWorkflowTaskState } = protos.temporal.api.enums.v1;
const RUNS_PER_PHASE = 6;

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} churn`, { timeout: 180_000 }, () => {
  const suite = workflowSuite();

  test('every run completes while Server B is killed twice and the worker once', async () => {
    const a = await suite.track(startServerA());
    const portB = await freePort();
    const taskQueue = uniqueTaskQueue('churn');
    const env = {
      ...temporalEnv(taskQueue),
      SERVER_B_PORT: String(portB),
      SERVER_A_URL: a.url,
      SERVER_B_URL: `http://127.0.0.1:${portB}`,
      LOG_LEVEL: 'warn',
    };
    const startB = async () => {
      const b = startNode('server-b/index.ts', [], { ...env, LOG_LEVEL: 'info' });
      await b.waitFor('"msg":"listening"');
      return b;
    };
    const startWorker = async () => {
      const worker = startNode('temporal/worker.ts', [], { ...env, LOG_LEVEL: 'info' });
      await worker.waitFor('"msg":"worker polling"', 120_000);
      return worker;
    };
    const kill = async (process_: LongRunning) => {
      process.kill(process_.pid, 'SIGKILL');
      await process_.exited;
    };
    try {
      let b = await startB();
      let worker = await startWorker();
      const handles: Array<Awaited<ReturnType<typeof suite.start>>> = [];
      /** A batch of runs started now, so that some are in flight through each blow that follows. */
      const startBatch = async () => {
        for (let i = 0; i < RUNS_PER_PHASE; i++) {
          handles.push(
            await suite.client.workflow.start(WORKFLOW_KINDS.multi.workflow, {
              taskQueue,
              workflowId: `churn-${taskQueue}-${handles.length}`,
              args: [{ data: `churn run ${handles.length}` }],
            }),
          );
        }
      };

      /** Waits until `seen` holds for the runs of the last batch, by what the server says of them. */
      const untilLastBatch = (seen: (runs: WorkflowExecutionDescription[]) => boolean) =>
        expect
          .poll(async () => seen(await Promise.all(handles.slice(-RUNS_PER_PHASE).map((h) => h.describe()))), { timeout: 60_000, interval: 250 })
          .toBe(true);
      // B's outage was met: one of the runs is retrying a call to it.
      const bOutageMet = () => untilLastBatch((runs) => runs.some((r) => (r.raw.pendingActivities ?? []).some((p) => (p.attempt ?? 1) > 1)));
      // Nothing runs them: every run waits with its first workflow task scheduled and not started.
      const waitingForAWorker = () =>
        untilLastBatch((runs) => runs.every((r) => r.raw.pendingWorkflowTask?.state === PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED));

      await startBatch();
      await kill(b);
      await startBatch();
      await bOutageMet();
      b = await startB();
      await startBatch();
      await kill(worker);
      await startBatch();
      await waitingForAWorker();
      worker = await startWorker();
      await startBatch();
      await kill(b);
      await startBatch();
      await bOutageMet();
      b = await startB();
      await startBatch();

      const results = await Promise.all(handles.map((h) => h.result() as Promise<MultiServerResult>));
      expect(results).toHaveLength(7 * RUNS_PER_PHASE);
      expect(results.filter((r) => r.summary.hashesMatch)).toHaveLength(results.length);
      // The churn was real: some steps needed more than one attempt.
      const histories = await Promise.all(handles.map(eventsOf));
      const retried = histories.flatMap(activitiesOf).filter((x) => (x.attempt ?? 1) > 1);
      expect(retried.length).toBeGreaterThan(0);
      // Each step ran as one activity per run, however often it was retried.
      for (const events of histories) expect(activitiesOf(events)).toHaveLength(6);
      expect(histories.map((events) => countEvents(events, 'workflowTaskFailedEventAttributes')).reduce((x, y) => x + y, 0)).toBe(0);
    } finally {
      killLeftovers();
    }
  });
});
