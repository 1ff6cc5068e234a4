// The split layout: a worker for the workflows, one for Server A's activities, one for Server B's, each
// polling only its own task queue. Stopping Server B's worker holds only the steps that call Server B;
// they go on when it is back, and nothing else waits for it.
import { describe, expect, test } from 'vitest';
import protos from '@temporalio/proto';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { serviceTaskQueue } from '../../temporal/activities/types.ts';
import { askQuery } from '../../temporal/runs/describe-run.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import { activitiesOf, eventsOf } from '../support/history.ts';
import { startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, testWorker, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const { TaskQueueKind, TaskQueueType } = protos.temporal.api.enums.v1;

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} workers per service`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  /** The identities polling a queue for one kind of task. */
  async function pollers(taskQueue: string, type: 'workflow' | 'activity'): Promise<string[]> {
    const { pollers } = await suite.client.workflowService.describeTaskQueue({
      namespace: suite.connections.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: type === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return pollers.map((p) => p.identity ?? '').sort();
  }

  test('each role polls only its queue; with the Server B worker stopped only the Server B steps wait, and go on once it is back', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const urls = { 'server-a': a.url, 'server-b': b.url };
    const taskQueue = uniqueTaskQueue('split');
    const [queueA, queueB] = [serviceTaskQueue(taskQueue, 'server-a'), serviceTaskQueue(taskQueue, 'server-b')];
    const orchestrator = await testWorker(suite.connections, taskQueue, urls, { role: 'orchestrator', identity: 'orchestrator' });
    const workerA = await testWorker(suite.connections, taskQueue, urls, { role: 'server-a', identity: 'worker-a' });

    const result = await orchestrator.runUntil(() =>
      workerA.runUntil(async () => {
        const handle = await suite.start('multi', taskQueue, { data: 'split across three workers' });
        // Validate (Server A) completes, then the health check waits for Server B's ping, and nothing after it starts.
        await expect.poll(async () => (await askQuery(handle, progressQuery))?.currentStep, { timeout: 20_000 }).toBe('health-check');
        // Then it is blocked on Server B's health check: no workflow task is left to run and only that activity is
        // pending, so nothing after it can start until its result arrives.
        await expect
          .poll(
            async () => {
              const { raw } = await handle.describe();
              return { workflowTask: raw.pendingWorkflowTask ?? null, activities: (raw.pendingActivities ?? []).map((x) => x.activityType?.name) };
            },
            { timeout: 20_000 },
          )
          .toEqual({ workflowTask: null, activities: ['checkHealth'] });
        const waiting = activitiesOf(await eventsOf(handle));
        expect(waiting.map((x) => [x.type, x.taskQueue, x.outcome, x.startedBy])).toEqual([
          ['validateData', queueA, 'completed', 'worker-a'],
          ['checkHealth', queueA, 'completed', 'worker-a'],
          ['checkHealth', queueB, 'pending', null],
        ]);
        expect(await pollers(taskQueue, 'workflow')).toEqual(['orchestrator']);
        expect(await pollers(taskQueue, 'activity')).toEqual([]);
        expect(await pollers(queueA, 'activity')).toEqual(['worker-a']);
        expect(await pollers(queueA, 'workflow')).toEqual([]);

        const workerB = await testWorker(suite.connections, taskQueue, urls, { role: 'server-b', identity: 'worker-b' });
        return (await workerB.runUntil(() => handle.result())) as MultiServerResult;
      }),
    );
    expect(result.summary.hashesMatch).toBe(true);
    expect(result.health['server-b'].status).toBe('ok');
  });
});
