// Where a run is, and how runs are found, on a real server: the run's current details and each call's summary
// (the Web UI shows both; neither writes to visibility), the search attributes a run sets (DataCategory once it
// is known, CurrentStep only where a run stopped: its failing step, or "review" while a person is asked), and
// the search-attribute writes a completed run costs, counted from its history (starting and closing a run
// write to visibility too, as every run does).
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import { startWorkflow, staticSummary } from '../../temporal/run-kinds.ts';
import { decideUpdate, reviewQuery } from '../../temporal/workflows/review.ts';
import { CURRENT_STEP, DATA_CATEGORY, REVIEW_STATE } from '../../temporal/workflows/search-attributes.ts';
import { eventsOf } from '../support/history.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

/** What the Web UI reads for a run's page: the SDK's built-in metadata query. */
const currentDetails = async (handle: WorkflowHandle) => (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails;

test('a static summary is one line of inline code, at most 40 characters of the data, whatever the data holds', () => {
  expect(staticSummary('multi', { data: 'Hello  order\nworld' })).toBe('multi: `Hello order world`');
  expect(staticSummary('simple', { data: '[click](javascript:alert(1)) `x`' })).toBe("simple: `[click](javascript:alert(1)) 'x'`");
  expect(staticSummary('adaptive', { data: 'a'.repeat(100) })).toBe(`adaptive: \`${'a'.repeat(40)}…\``);
  expect(staticSummary('batch', { kind: 'publish', items: [{ data: 'x' }, { data: 'y' }] })).toBe('batch of 2 publish runs');
  expect(staticSummary('multi', { data: `${'é'.repeat(39)}😀😀` })).toBe(`multi: \`${'é'.repeat(39)}😀…\``);
  expect(staticSummary('multi', { data: '   ' })).toBe('multi');
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} finding runs and seeing where they are`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  test('a completed multi-server run: its current details follow the steps, each call has a summary, and it writes search attributes twice', async () => {
    const held = gate('/enrich');
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB({ before: held.middleware }));
    const taskQueue = uniqueTaskQueue('find');
    await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'Hello order world' });
      await held.arrived;
      await expect
        .poll(() => currentDetails(handle), { timeout: 10_000 })
        .toMatch(/^Running \*\*enrich\*\*\n\n✓ validate · ✓ health-check · .* · ▶ enrich · ○ combine$/);
      held.release();
      await handle.result();
      expect(await currentDetails(handle)).toMatch(
        /^Run completed\n\n✓ validate · ✓ health-check · ✓ process-internal · ✓ process-external · ✓ enrich · ✓ combine$/,
      );
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect([attributes.get(CURRENT_STEP), attributes.get(DATA_CATEGORY)]).toEqual([undefined, 'commerce']);

      const events = await eventsOf(handle);
      // The SDK records the run's patches (TemporalChangeVersion) once, then the category once it is known.
      const upserts = events.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
      expect(upserts).toEqual(['TemporalChangeVersion', 'DataCategory']);
      const summaries = events.flatMap((e) =>
        e.activityTaskScheduledEventAttributes && e.userMetadata?.summary ? [defaultPayloadConverter.fromPayload(e.userMetadata.summary)] : [],
      );
      expect(summaries).toEqual([
        'validate step, server-a',
        'health-check step, server-a',
        'health-check step, server-b',
        'process-internal step, server-a',
        'process-external step, server-b',
        'enrich step, server-b',
      ]);

      // Visibility is eventually consistent: the query may lag the run by a moment.
      const query = `WorkflowId = '${handle.workflowId}' AND DataCategory = 'commerce'`;
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

  test('a failed run sets the step it failed at as its CurrentStep, once, so failures can be found by step', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('find-failed');
    await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: '<script>' });
      await failureOf(handle);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect([attributes.get(CURRENT_STEP), attributes.get(DATA_CATEGORY)]).toEqual(['validate', undefined]);
      expect(await currentDetails(handle)).toMatch(/^Run failed\n\n✗ validate · ○ health-check/);
      const steps = (await eventsOf(handle)).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.CurrentStep);
      expect(steps).toHaveLength(1);
    });
  });

  test('a run waiting for a review has CurrentStep "review" beside its ReviewState, the decision clears it in the same write; the start gave it a summary', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('find-review');
    await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await startWorkflow(
        suite.client,
        'publish',
        { taskQueue, workflowId: `publish-${taskQueue}` },
        { data: 'Please review this note', review: true },
      );
      await expect.poll(async () => (await handle.query(reviewQuery)).state, { timeout: 15_000 }).toBe('pending');
      // Started as the CLI and the API start runs: with a one-line summary the Web UI shows in the run list.
      expect(await (await handle.describe()).staticSummary()).toBe('publish: `Please review this note`');
      const waiting = (await handle.describe()).typedSearchAttributes;
      expect([waiting.get(CURRENT_STEP), waiting.get(REVIEW_STATE)]).toEqual(['review', 'pending']);
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ada' }] });
      await handle.result();
      const done = (await handle.describe()).typedSearchAttributes;
      expect([done.get(CURRENT_STEP), done.get(REVIEW_STATE)]).toEqual([undefined, 'approved']);
      const upserts = (await eventsOf(handle)).flatMap((e) =>
        Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort(),
      );
      // One marker for the whole run: a new run takes the older patches (the review's among them) without asking.
      expect(upserts).toEqual(['TemporalChangeVersion', 'CurrentStep', 'ReviewState', 'CurrentStep', 'ReviewState']);
    });
  });
});
