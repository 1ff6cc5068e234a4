// One rule for service outages, on a real server with real services: an outage shorter than the run's
// outage limit is ridden out at any step; a longer one fails the run with ServiceUnavailable naming
// the service; invalid data is reported as such whatever state Server B is in.
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, test } from 'vitest';
import { FailureType } from '../../temporal/failure-types.ts';
import { attemptsToRideOut } from '../../temporal/workflows/activity-options.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { activitiesOf, activityTimes, countEvents, eventsOf } from '../support/history.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

/** The outage the README promises to ride out by default is 2 minutes; these tests use 30 s of it. */
const OUTAGE_MS = 30_000;

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} service outages`, { timeout: 120_000 }, () => {
  const suite = workflowSuite();

  /** Waits until `activityType` (with `input`, if given) has failed at least `attempts - 1` times. */
  async function attemptsReached(handle: Awaited<ReturnType<typeof suite.start>>, activityType: string, attempts: number): Promise<void> {
    await expect
      .poll(
        async () => {
          const { raw } = await handle.describe();
          return (raw.pendingActivities ?? []).some((p) => p.activityType?.name === activityType && (p.attempt ?? 0) >= attempts);
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
  }

  test('a 30 s outage of Server B at the start is ridden out: the health check waits and the run completes', async () => {
    const a = await suite.track(startServerA());
    const reserved = await startServerB();
    await reserved.close();
    const taskQueue = uniqueTaskQueue('b-down-at-start');
    const { result, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': reserved.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'late start' });
      // Down until the retries have waited out the outage: the attempt that follows starts at least OUTAGE_MS after the first.
      await attemptsReached(handle, 'checkHealth', attemptsToRideOut(OUTAGE_MS));
      await suite.track(startServerB({ port: reserved.port }));
      return { result: (await handle.result()) as MultiServerResult, events: await eventsOf(handle) };
    });
    expect(result.summary.hashesMatch).toBe(true);
    const healthB = activitiesOf(events).find((x) => x.type === 'checkHealth' && x.input === 'server-b');
    // 30 s of backoff (1 + 2 + 4 + 8 + 10 + 10 s) is at least 6 failed attempts before B is back.
    expect(healthB?.attempt).toBeGreaterThanOrEqual(attemptsToRideOut(OUTAGE_MS));
    // By the history's own times: the attempt that reached B started at least OUTAGE_MS after the first.
    const times = activityTimes(events, healthB!.scheduledEventId);
    expect(times.lastStarted! - times.scheduled).toBeGreaterThanOrEqual(OUTAGE_MS);
    expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
  });

  test('a 30 s outage of Server B mid-run is ridden out; the progress query during the outage shows the step waiting', async () => {
    const held = gate('/process-internal');
    const a = await suite.track(startServerA({ before: held.middleware }));
    const b1 = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('b-down-mid-run');
    const { duringOutage, result, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b1.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'ride it out' });
      await held.arrived; // past B's health check, in process-internal
      await b1.close(0);
      held.release();
      await attemptsReached(handle, 'processExternal', 2);
      const duringOutage = await handle.query(progressQuery);
      await attemptsReached(handle, 'processExternal', attemptsToRideOut(OUTAGE_MS));
      await suite.track(startServerB({ port: b1.port }));
      return { duringOutage, result: (await handle.result()) as MultiServerResult, events: await eventsOf(handle) };
    });
    expect(duringOutage).toEqual({
      workflow: 'multiServerWorkflow',
      status: 'running',
      currentStep: 'process-external',
      completedSteps: ['validate', 'health-check', 'process-internal'],
      steps: [
        { step: 'validate', status: 'completed', durationMs: expect.any(Number) },
        { step: 'health-check', status: 'completed', durationMs: expect.any(Number) },
        { step: 'process-internal', status: 'completed', durationMs: expect.any(Number) },
        { step: 'process-external', status: 'running', durationMs: null },
        { step: 'enrich', status: 'pending', durationMs: null },
        { step: 'combine', status: 'pending', durationMs: null },
      ],
      compensations: [],
    });
    expect(result.summary.servers).toEqual(['server-a', 'server-b']);
    const activities = activitiesOf(events);
    // One scheduled activity per step, the waiting one retried in place.
    expect(activities.map((x) => x.type)).toEqual(['validateData', 'checkHealth', 'checkHealth', 'processInternal', 'processExternal', 'enrichData']);
    const external = activities.find((x) => x.type === 'processExternal')!;
    expect(external.attempt).toBeGreaterThanOrEqual(attemptsToRideOut(OUTAGE_MS));
    const times = activityTimes(events, external.scheduledEventId);
    expect(times.lastStarted! - times.scheduled).toBeGreaterThanOrEqual(OUTAGE_MS);
  });

  test('an outage longer than the outage limit fails the run with ServiceUnavailable naming the service', async () => {
    const a = await suite.track(startServerA());
    const gone = await startServerB();
    await gone.close();
    const taskQueue = uniqueTaskQueue('b-gone');
    const { error, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': gone.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'hello', outageLimit: '3s' });
      return { error: await failureOf(handle), events: await eventsOf(handle) };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe(FailureType.serviceUnavailable);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toBe(
      `server-b stayed unavailable for longer than the outage limit of 3 s: server-b GET /ping failed: server-b is unreachable at ${gone.url} (ECONNREFUSED)`,
    );
    expect(cause.details).toEqual([{ service: 'server-b', outageLimitMs: 3000, activityType: 'checkHealth' }]);
    expect(cause.cause).toBeInstanceOf(ActivityFailure);
    expect((cause.cause as ActivityFailure).retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
    // Attempts at 0, 1 and 3 s: the last one starts when the 3 s limit has passed.
    const healthB = activitiesOf(events).find((x) => x.type === 'checkHealth' && x.input === 'server-b');
    expect(healthB).toMatchObject({ attempt: attemptsToRideOut(3_000), outcome: 'failed' });
    expect(attemptsToRideOut(3_000)).toBe(3);
    expect(activitiesOf(events).map((x) => x.type)).not.toContain('processInternal');
  });

  test('invalid data with Server B down is reported at once as ValidationFailed, before any health check', async () => {
    const a = await suite.track(startServerA());
    const gone = await startServerB();
    await gone.close();
    const taskQueue = uniqueTaskQueue('invalid-b-down');
    const { error, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': gone.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: '<script>' });
      return { error: await failureOf(handle), events: await eventsOf(handle) };
    });
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.validationFailed);
    expect(cause.message).toBe('Input rejected by server-a /validate: data contains characters that are not allowed: "<", ">"');
    expect(activitiesOf(events).map((x) => [x.type, x.attempt])).toEqual([['validateData', 1]]);
    expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
  });
});
