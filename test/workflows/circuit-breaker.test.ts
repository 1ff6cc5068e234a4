// The worker's circuit breakers in real runs on a real server. Server B starts failing right after a run's
// process-external: that run's enrich meets the outage, the breaker for B opens, and the run takes enrich's
// documented fallback and completes degraded. The next run on the same worker meets the same breaker at its
// health check and waits through it (the outage rule); once B recovers, a probe closes it and the run takes the
// real path. Activities replaced by functions then show the rest of the rule: an open breaker past the outage
// limit is ServiceUnavailable, and the saga's steps wait through it, with no fallback.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import type { Publication } from '../../server-b/contract.ts';
import { createActivities } from '../../temporal/activities/index.ts';
import { createServiceClients } from '../../temporal/activities/service-clients.ts';
import { FailureType } from '../../temporal/failure-types.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import { backoffAfter } from '../../temporal/workflows/activity-options.ts';
import { OUTAGE_LIMIT } from '../../temporal/workflows/input.ts';
import { DATA_CATEGORY } from '../../temporal/workflows/search-attributes.ts';
import type { PublishResult } from '../../temporal/workflows/publish.ts';
import { failureSwitch } from '../support/failing-service.ts';
import { activitiesOf, activityTimes, countEvents, eventsOf } from '../support/history.ts';
import { startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

/** What the worker's breaker throws while open, thrown by an activity replaced by a function. */
const circuitOpen = (call: string) =>
  ApplicationFailure.create({ type: FailureType.circuitOpen, message: `server-b ${call} not sent: the circuit breaker for server-b is open (test)` });

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} circuit breakers`, { timeout: 120_000 }, () => {
  const suite = workflowSuite();

  test('B failing at enrich: the run takes the fallback once the breaker opens; the next run waits through it at its health check, then takes the real path once B is back', async () => {
    const a = await suite.track(startServerA());
    const b = failureSwitch();
    b.state.failAfterProcessExternal = true;
    const serverB = await suite.track(startServerB({ before: b.middleware }));
    const taskQueue = uniqueTaskQueue('breaker');
    const start = (n: number): Promise<WorkflowHandle<typeof WORKFLOW_KINDS.multi.workflow>> =>
      suite.client.workflow.start(WORKFLOW_KINDS.multi.workflow, { taskQueue, workflowId: `multi-${taskQueue}-${n}`, args: [{ data: 'hello order world' }] });

    const runs = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': serverB.url }, async () => {
      const first = await start(1);
      const degraded = await first.result();
      const seenByB = { enrich: b.requests('/enrich'), ping: b.requests('/ping') };

      // Same worker, same breaker, B still failing: the health check's pings are not even sent, and the step waits.
      b.state.failAfterProcessExternal = false;
      const second = await start(2);
      await expect
        .poll(
          async () => {
            const pending = (await second.describe()).raw.pendingActivities ?? [];
            const health = pending.find((p) => p.activityType?.name === 'checkHealth');
            return { attempt: health?.attempt ?? 0, lastFailure: health?.lastFailure?.applicationFailureInfo?.type };
          },
          { timeout: 30_000, interval: 200 },
        )
        .toEqual({ attempt: 3, lastFailure: FailureType.circuitOpen });
      const pingsWhileOpen = b.requests('/ping') - seenByB.ping;
      b.state.failing = false;
      return {
        degraded,
        seenByB,
        pingsWhileOpen,
        recovered: await second.result(),
        events: [await eventsOf(first), await eventsOf(second)],
        categories: [(await first.describe()).typedSearchAttributes.get(DATA_CATEGORY), (await second.describe()).typedSearchAttributes.get(DATA_CATEGORY)],
      };
    });

    const { degraded, recovered } = runs;
    expect(degraded.degraded).toBe(true);
    expect(degraded.fallbacks).toEqual([
      {
        step: 'enrich',
        service: 'server-b',
        reason: expect.stringMatching(/^server-b POST \/enrich not sent: the circuit breaker for server-b is open after repeated/),
      },
    ]);
    expect(degraded.enrichment).toEqual({
      category: 'uncategorized',
      score: 0,
      keywords: [],
      reference: degraded.external.reference,
      enrichedBy: 'fallback',
      enrichedAt: expect.any(String),
    });
    expect(degraded.summary).toMatchObject({ category: 'uncategorized', score: 0, keywords: [], hashesMatch: true });
    // Three 503s open the breaker (with the run's ping and process-external, 3 of 5 calls failed); the fourth
    // attempt fails fast and the workflow takes the fallback at once: seconds, not the 2-minute outage limit.
    expect(runs.seenByB.enrich).toBe(3);
    expect(activitiesOf(runs.events[0]!).find((x) => x.type === 'enrichData')).toMatchObject({ attempt: 4, outcome: 'failed' });
    const enrichStep = degraded.timings.find((t) => t.step === 'enrich')!;
    expect(enrichStep.status).toBe('completed');
    // By the history's own times: enrich waited out the backoff between its 4 attempts, then ended at once,
    // long before the outage limit.
    const enrich = activityTimes(runs.events[0]!, activitiesOf(runs.events[0]!).find((x) => x.type === 'enrichData')!.scheduledEventId);
    const enrichMs = enrich.closed! - enrich.scheduled;
    expect(enrichMs).toBeGreaterThanOrEqual(backoffAfter(1) + backoffAfter(2) + backoffAfter(3));
    expect(enrichMs).toBeLessThan(OUTAGE_LIMIT.defaultMs);

    // The second run's health check retried through the open breaker without reaching B, and completed once B was back.
    expect(runs.pingsWhileOpen).toBe(0);
    expect(Math.max(...activitiesOf(runs.events[1]!).map((x) => (x.type === 'checkHealth' ? (x.attempt ?? 0) : 0)))).toBeGreaterThanOrEqual(4);
    expect(recovered.degraded).toBe(false);
    expect(recovered.fallbacks).toEqual([]);
    expect(recovered.enrichment).toMatchObject({ category: 'commerce', enrichedBy: 'server-b' });
    // A fallback sets no DataCategory: a category found always comes from Server B.
    expect(runs.categories).toEqual([undefined, 'commerce']);
    expect(runs.events.map((events) => countEvents(events, 'workflowTaskFailedEventAttributes'))).toEqual([0, 0]);
  });

  test('an open breaker past the outage limit ends the run with ServiceUnavailable naming the service, as any outage does', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('breaker-limit');
    const real = createActivities(createServiceClients({ 'server-a': a.url, 'server-b': b.url }));
    const error = await suite.withWorker(
      taskQueue,
      { 'server-a': a.url, 'server-b': b.url },
      async () => failureOf(await suite.start('multi', taskQueue, { data: 'hello', outageLimit: '3s' })),
      {
        activities: {
          checkHealth: async (service) => {
            if (service === 'server-b') throw circuitOpen('GET /ping');
            return real.checkHealth(service);
          },
        },
      },
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toMatchObject({
      type: FailureType.serviceUnavailable,
      message:
        'server-b stayed unavailable for longer than the outage limit of 3 s: server-b GET /ping not sent: the circuit breaker for server-b is open (test)',
      details: [{ service: 'server-b', outageLimitMs: 3000, activityType: 'checkHealth' }],
    });
  });

  test("the publish saga's steps wait through an open breaker and complete: no fallback there", async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('breaker-saga');
    const real = createActivities(createServiceClients({ 'server-a': a.url, 'server-b': b.url }));
    let refused = 0;
    const { result, events } = await suite.withWorker(
      taskQueue,
      { 'server-a': a.url, 'server-b': b.url },
      async () => {
        const handle = await suite.start('publish', taskQueue, { data: 'Fresh news about the order' });
        return { result: (await handle.result()) as PublishResult, events: await eventsOf(handle) };
      },
      {
        activities: {
          submitPublication: async (request): Promise<Publication> => {
            if (refused++ < 2) throw circuitOpen('POST /publications');
            return real.submitPublication(request);
          },
        },
      },
    );
    expect(result.outcome).toBe('published');
    expect(activitiesOf(events).find((x) => x.type === 'submitPublication')).toMatchObject({ attempt: 3, outcome: 'completed' });
  });
});
