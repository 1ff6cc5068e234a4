// Each call reaches the service it is for: a proxy of one service's activities cannot name another's (the
// compiler refuses it, checked below), and on a real server every activity each workflow kind schedules lands
// on its service's task queue, read from the event histories (a replay cannot see task queues).
import { proxyActivities } from '@temporalio/workflow';
import { describe, expect, test } from 'vitest';
import type { ServerAActivities, ServerBActivities } from '../../temporal/activities/types.ts';
import { type BatchItem, batchWorkflow } from '../../temporal/workflows/batch.ts';
import type { WorkflowKind } from '../../temporal/workflows/kinds.ts';
import { SERVICE_CALL } from '../../temporal/workflows/activity-options.ts';
import { decideUpdate, reviewQuery } from '../../temporal/workflows/review.ts';
import { startWorkflow } from '../../temporal/run-kinds.ts';
import { ADAPTIVE_PLANS } from '../support/adaptive-plans.ts';
import { activitiesOf, eventsOf } from '../support/history.ts';
import { startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

/** Written out here, not read from the code under test: which service each activity calls. */
const SERVER_A = ['validateData', 'processInternal', 'reserveRecord', 'commitRecord', 'releaseReservedRecord'];
const SERVER_B = ['processExternal', 'enrichData', 'callThirdParty', 'submitPublication', 'confirmPublication', 'withdrawSubmittedPublication'];

// Never called: the compiler checks these lines (npm test runs tsc over test/ too).
export function _proxiesNameOnlyTheirServicesActivities() {
  // @ts-expect-error processExternal is Server B's: a proxy of Server A's activities has no such member.
  const { processExternal } = proxyActivities<ServerAActivities>(SERVICE_CALL);
  // @ts-expect-error validateData is Server A's.
  const { validateData } = proxyActivities<ServerBActivities>(SERVICE_CALL);
  return [processExternal, validateData];
}

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} every scheduled activity on its service's task queue`, () => {
  const suite = workflowSuite();

  /** [activity, task queue] of every activity the run scheduled, and the queue it should have gone to. */
  async function routes(workflowId: string, taskQueue: string) {
    const scheduled = activitiesOf(await eventsOf(suite.client.workflow.getHandle(workflowId)));
    const serviceOf = (type: string, input: unknown) =>
      type === 'checkHealth' ? String(input) : SERVER_A.includes(type) ? 'server-a' : SERVER_B.includes(type) ? 'server-b' : `unknown activity ${type}`;
    return {
      actual: scheduled.map((s) => [s.type, s.taskQueue]),
      expected: scheduled.map((s) => [s.type, `${taskQueue}-${serviceOf(s.type, s.input)}`]),
    };
  }

  test(
    'multi (with the third party), simple, publish (refused and undone; reviewed and approved), adaptive (each plan) and a batch of multi',
    { timeout: 120_000 },
    async () => {
      const a = await suite.track(startServerA());
      const b = await suite.track(startServerB({ random: () => 0.99 }));
      const taskQueue = uniqueTaskQueue('routing');
      const ids = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
        const start = (kind: WorkflowKind, input: BatchItem, id: string) =>
          startWorkflow(suite.client, kind, { taskQueue, workflowId: `${taskQueue}-${id}` }, input);
        const handles = [
          await start('multi', { data: 'route me', thirdParty: { latencyMs: 0, failureRate: 0 } }, 'multi'),
          await start('simple', { data: 'route me' }, 'simple'),
          ...(await Promise.all(ADAPTIVE_PLANS.map(({ name, data }) => start('adaptive', { data }, name)))),
        ];
        // Refused by Server B's rules: the saga undoes its steps, calling both services' compensations.
        handles.push(await start('publish', { data: 'Cheap spam offer' }, 'publish-rejected'));
        const publish = await start('publish', { data: 'route me', review: true }, 'publish');
        await expect.poll(async () => (await publish.query(reviewQuery)).state, { timeout: 30_000 }).toBe('pending');
        await publish.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ada' }] });
        const batch = await suite.client.workflow.start(batchWorkflow, {
          taskQueue,
          workflowId: `${taskQueue}-batch`,
          args: [{ kind: 'multi', items: [{ data: 'first item' }, { data: 'second item' }] }],
        });
        await Promise.all([...handles, publish, batch].map((h) => h.result()));
        const children = (await batch.result()).succeeded.map((s) => s.childId);
        expect(children).toHaveLength(2);
        // Each child carries a summary of its item, as a run started by a client does.
        expect(await (await suite.client.workflow.getHandle(children[0]!).describe()).staticSummary()).toBe('multi: `first item`');
        return [...[...handles, publish].map((h) => h.workflowId), ...children];
      });
      const types = new Set<string>();
      for (const id of ids) {
        const { actual, expected } = await routes(id, taskQueue);
        expect(actual.length, `${id} scheduled activities`).toBeGreaterThan(0);
        expect(actual, id).toEqual(expected);
        for (const [type] of actual) types.add(type!);
      }
      // Every activity of both services was scheduled by one of the runs.
      expect([...types].sort()).toEqual(['checkHealth', ...SERVER_A, ...SERVER_B].sort());
    },
  );
});
