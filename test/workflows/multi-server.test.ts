// The two workflows on a real Temporal server, with the real worker setup, activities and services:
// results, step timings checked against the event history, the production retry policy as the
// history records it, and a real Retry-After delay between two attempts.
import { describe, expect, test } from 'vitest';
import { attemptsToRideOut } from '../../temporal/workflows/activity-options.ts';
import { OUTAGE_LIMIT } from '../../temporal/workflows/input.ts';
import { serviceTaskQueue } from '../../temporal/activities/types.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import type { SimpleResult } from '../../temporal/workflows/simple.ts';
import type { StepName } from '../../temporal/workflows/steps.ts';
import { activitiesOf, activityTimes, eventsOf, eventTime, type HistoryEvent } from '../support/history.ts';
import { recorder, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const STEP_ACTIVITIES: Partial<Record<StepName, string[]>> = {
  validate: ['validateData'],
  'health-check': ['checkHealth'],
  'process-internal': ['processInternal'],
  'process-external': ['processExternal'],
  enrich: ['enrichData'],
  'third-party': ['callThirdParty'],
  combine: [],
};

/**
 * A step's timing in workflow time, as the history defines it: it starts at the workflow task that
 * scheduled its first activity and ends at the first workflow task after its last activity completed.
 */
function expectedTiming(events: HistoryEvent[], step: StepName): { startedAt: number; finishedAt: number } {
  const types = STEP_ACTIVITIES[step] ?? [];
  let lastTaskStart = 0;
  let startedAt: number | undefined;
  let completedIndex = -1;
  const scheduledIds = new Set<string>();
  events.forEach((event, index) => {
    if (event.workflowTaskStartedEventAttributes) lastTaskStart = eventTime(event);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled && types.includes(scheduled.activityType?.name ?? '')) {
      startedAt ??= lastTaskStart;
      scheduledIds.add(String(event.eventId));
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && scheduledIds.has(String(completed.scheduledEventId))) completedIndex = index;
  });
  const after = events.slice(completedIndex + 1).find((e) => e.workflowTaskStartedEventAttributes);
  return { startedAt: startedAt!, finishedAt: eventTime(after!) };
}

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} workflows`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();

  test('multiServerWorkflow returns every step result and the combined summary; step timings match the history', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('multi');
    const { result, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: '  Hello order   WORLD ' });
      return { result: (await handle.result()) as MultiServerResult, events: await eventsOf(handle) };
    });

    expect(result.workflow).toBe('multiServerWorkflow');
    expect(result.input).toEqual({ data: '  Hello order   WORLD ' });
    expect(result.health['server-a']).toMatchObject({ service: 'server-a', status: 'ok' });
    expect(result.health['server-b']).toMatchObject({ service: 'server-b', status: 'ok' });
    expect(result.validation).toEqual({ valid: true, errors: [] });
    expect(result.internal).toMatchObject({ normalized: 'hello order world', wordCount: 3, characterCount: 17 });
    expect(result.external.contentHash).toBe(result.internal.contentHash);
    expect(result.enrichment).toMatchObject({ category: 'commerce', score: 58, keywords: ['hello', 'order', 'world'] });
    expect(result.thirdParty).toBeNull();
    expect(result.summary).toEqual({
      reference: result.external.reference,
      category: 'commerce',
      score: 58,
      keywords: ['hello', 'order', 'world'],
      wordCount: 3,
      characterCount: 17,
      contentHash: result.internal.contentHash,
      hashesMatch: true,
      servers: ['server-a', 'server-b'],
      totalDurationMs: expect.any(Number),
    });
    expect(result.summary.reference).toMatch(/^EXT-[0-9A-F]{12}$/);

    expect(result.timings.map((t) => t.step)).toEqual(['validate', 'health-check', 'process-internal', 'process-external', 'enrich', 'combine']);
    for (const timing of result.timings) {
      const expected = expectedTiming(events, timing.step);
      const actual = { startedAt: Date.parse(timing.startedAt), finishedAt: Date.parse(timing.finishedAt) };
      expect({ step: timing.step, ...actual }).toEqual({
        step: timing.step,
        ...(timing.step === 'combine' ? { startedAt: actual.startedAt, finishedAt: actual.startedAt } : expected),
      });
      expect(timing.durationMs).toBe(actual.finishedAt - actual.startedAt);
    }
    // Each activity step spans at least one round trip through the server, so it cannot take 0 ms.
    for (const timing of result.timings.filter((t) => t.step !== 'combine')) expect(timing.durationMs).toBeGreaterThan(0);
    // Every step's activity ran exactly once, on its first attempt.
    expect(activitiesOf(events).map((x) => [x.type, x.attempt, x.outcome])).toEqual([
      ['validateData', 1, 'completed'],
      ['checkHealth', 1, 'completed'],
      ['checkHealth', 1, 'completed'],
      ['processInternal', 1, 'completed'],
      ['processExternal', 1, 'completed'],
      ['enrichData', 1, 'completed'],
    ]);
  });

  test('every activity is scheduled with the production timeouts and retry policy', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('policy');
    const events = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'policy check', thirdParty: { latencyMs: 0, failureRate: 0 } });
      await handle.result();
      return eventsOf(handle);
    });
    const seconds = (d: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    const byType = Object.fromEntries(
      scheduled.map((s) => [
        s.activityType?.name,
        {
          startToClose: seconds(s.startToCloseTimeout),
          heartbeat: seconds(s.heartbeatTimeout),
          initialInterval: seconds(s.retryPolicy?.initialInterval),
          backoffCoefficient: s.retryPolicy?.backoffCoefficient,
          maximumInterval: seconds(s.retryPolicy?.maximumInterval),
          maximumAttempts: s.retryPolicy?.maximumAttempts,
        },
      ]),
    );
    // The default outage limit of 2 minutes: 16 attempts, the last one 125 s after the first.
    const policy = { initialInterval: 1, backoffCoefficient: 2, maximumInterval: 10, maximumAttempts: 16, heartbeat: 5 };
    expect(byType).toEqual({
      validateData: { ...policy, startToClose: 10 },
      // A ping cannot outlive a heartbeat timeout: it has none.
      checkHealth: { ...policy, startToClose: 5, heartbeat: 0 },
      processInternal: { ...policy, startToClose: 10 },
      processExternal: { ...policy, startToClose: 10 },
      enrichData: { ...policy, startToClose: 10 },
      callThirdParty: { ...policy, startToClose: 30 },
    });
    expect(attemptsToRideOut(OUTAGE_LIMIT.defaultMs)).toBe(16);
    // Each call goes to the task queue of the service it calls, where that service's worker polls.
    const [queueA, queueB] = [serviceTaskQueue(taskQueue, 'server-a'), serviceTaskQueue(taskQueue, 'server-b')];
    expect(activitiesOf(events).map((x) => [x.type, x.taskQueue])).toEqual([
      ['validateData', queueA],
      ['checkHealth', queueA],
      ['checkHealth', queueB],
      ['processInternal', queueA],
      ['processExternal', queueB],
      ['enrichData', queueB],
      ['callThirdParty', queueB],
    ]);
  });

  test("the run's outage limit sets the attempts of every call, whatever else its input holds", async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('limit');
    const events = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'limit check', outageLimit: '30s', thirdParty: { latencyMs: 0, failureRate: 0 } });
      await handle.result();
      return eventsOf(handle);
    });
    const attempts = events.flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.retryPolicy?.maximumAttempts] : [],
    );
    expect(attempts).toEqual(Array(7).fill(attemptsToRideOut(30_000)));
  });

  test('simpleWorkflow uses Server A only (Server B is not even running)', async () => {
    const a = await suite.track(startServerA());
    const taskQueue = uniqueTaskQueue('simple');
    const { result, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': 'http://127.0.0.1:9' }, async () => {
      const handle = await suite.start('simple', taskQueue, { data: 'Test Data' });
      return { result: (await handle.result()) as SimpleResult, events: await eventsOf(handle) };
    });
    expect(result.workflow).toBe('simpleWorkflow');
    expect(result.summary).toMatchObject({ normalized: 'test data', wordCount: 2, characterCount: 9, servers: ['server-a'] });
    expect(result.timings.map((t) => t.step)).toEqual(['validate', 'process-internal']);
    expect(activitiesOf(events).map((x) => x.type)).toEqual(['validateData', 'processInternal']);
  });

  test('a 429 with Retry-After: 3 from the third party puts the next attempt at least 3 s after the first', async () => {
    const a = await suite.track(startServerA());
    const arrivals = recorder('/third-party-api');
    let draws = 0;
    // The first draw fails (0 < 1), every later one succeeds (0.99 < 0.5 is false).
    const b = await suite.track(startServerB({ before: arrivals.middleware, random: () => (draws++ === 0 ? 0 : 0.99) }));
    const taskQueue = uniqueTaskQueue('retry-after');
    const { result, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, {
        data: 'abc',
        thirdParty: { latencyMs: 0, failureRate: 0.5, failureStatus: 429, retryAfterSeconds: 3 },
      });
      return { result: (await handle.result()) as MultiServerResult, events: await eventsOf(handle) };
    });
    expect(result.thirdParty).toMatchObject({ query: 'abc', answer: { reversed: 'cba', length: 3 } });
    expect(activitiesOf(events).find((x) => x.type === 'callThirdParty')).toMatchObject({ attempt: 2, outcome: 'completed' });
    expect(arrivals.arrivals).toHaveLength(2);
    // By the history's own times (scheduled with the first attempt, started at the second): the policy alone
    // would retry after 1 s; the service asked for 3.
    const thirdParty = activityTimes(events, activitiesOf(events).find((x) => x.type === 'callThirdParty')!.scheduledEventId);
    expect(thirdParty.lastStarted! - thirdParty.scheduled).toBeGreaterThanOrEqual(3_000);
  });
});
