// The search attributes the workflows keep up to date as they move, on a real server: what a run shows
// while it runs, when it is done, and when it failed, and that a visibility query finds it by them.
import { describe, expect, test } from 'vitest';
import { CURRENT_STEP, DATA_CATEGORY } from '../../temporal/workflows/search-attributes.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} finding runs by search attributes`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  test('CurrentStep follows the run step by step and ends "done"; DataCategory is the enrichment\'s category; a query finds it by both', async () => {
    const held = gate('/enrich');
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB({ before: held.middleware }));
    const taskQueue = uniqueTaskQueue('find');
    await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'Hello order world' });
      await held.arrived;
      await expect.poll(async () => (await handle.describe()).typedSearchAttributes.get(CURRENT_STEP), { timeout: 10_000 }).toBe('enrich');
      held.release();
      await handle.result();
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect([attributes.get(CURRENT_STEP), attributes.get(DATA_CATEGORY)]).toEqual(['done', 'commerce']);

      // Visibility is eventually consistent: the query may lag the run by a moment.
      const query = `WorkflowId = '${handle.workflowId}' AND DataCategory = 'commerce' AND CurrentStep = 'done'`;
      await expect
        .poll(
          async () => {
            const ids: string[] = [];
            for await (const run of suite.client.workflow.list({ query })) ids.push(run.workflowId);
            return ids;
          },
          { timeout: 15_000 },
        )
        .toEqual([handle.workflowId]);
    });
  });

  test('a failed run keeps the step it failed at as its CurrentStep, so failures can be found by step', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('find-failed');
    await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: '<script>' });
      await failureOf(handle);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect([attributes.get(CURRENT_STEP), attributes.get(DATA_CATEGORY)]).toEqual(['validate', undefined]);
    });
  });
});
