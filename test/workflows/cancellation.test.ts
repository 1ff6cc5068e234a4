// Cancelling a run reaches the HTTP call in flight: the service records the request as abandoned
// long before it would have answered, and the run ends cancelled only after that abort.
import { CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, test } from 'vitest';
import { MAX_THIRD_PARTY_LATENCY_MS } from '../../server-b/contract.ts';
import { HEARTBEAT_TIMEOUT_MS } from '../../temporal/workflows/activity-options.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import { activitiesOf, eventsOf } from '../support/history.ts';
import { pendingActivity } from '../support/pending-activity.ts';
import { startServerA, startServerB, statusOf } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} cancellation`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();

  test('cancelling a run during a slow third-party call aborts the call, then the run ends cancelled', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('cancel');
    const { error, events, progress } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'slow one', thirdParty: { latencyMs: MAX_THIRD_PARTY_LATENCY_MS, failureRate: 0 } });
      // The service's own record that the call is in flight, not a guess with a sleep.
      await expect.poll(async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight, { timeout: 20_000 }).toBe(1);
      // Alive past the 5 s heartbeat timeout on the server's clock, still its first attempt: only the activity's
      // heartbeats keep the call alive this long, and only a heartbeat's answer can now carry the cancellation to it.
      await expect
        .poll(
          async () => {
            const pending = await pendingActivity(handle, 'callThirdParty');
            return pending?.attempt === 1 && (pending.lastHeartbeatAtMs ?? 0) - (pending.startedAtMs ?? Infinity) > HEARTBEAT_TIMEOUT_MS;
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe(true);
      expect((await statusOf(b)).endpoints['POST /third-party-api']).toMatchObject({ requests: 0, inFlight: 1 });
      await handle.cancel();
      return { error: await failureOf(handle), events: await eventsOf(handle), progress: await handle.query(progressQuery) };
    });

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    // Server B saw its client go away: the request was aborted, not answered.
    const stats = (await statusOf(b)).endpoints['POST /third-party-api'];
    expect(stats).toMatchObject({ requests: 1, aborted: 1, inFlight: 0 });

    // Cancelled on its first attempt: neither timed out by a missed heartbeat nor retried.
    const thirdParty = activitiesOf(events).find((x) => x.type === 'callThirdParty');
    expect(thirdParty).toMatchObject({ attempt: 1, outcome: 'cancelled' });
    // In the history: cancel requested, the activity confirms it was cancelled, and only then the run ends.
    const order = events
      .map((e) =>
        e.workflowExecutionCancelRequestedEventAttributes
          ? 'run cancel requested'
          : e.activityTaskCancelRequestedEventAttributes
            ? 'activity cancel requested'
            : e.activityTaskCanceledEventAttributes
              ? 'activity cancelled'
              : e.workflowExecutionCanceledEventAttributes
                ? 'run cancelled'
                : null,
      )
      .filter((x) => x !== null);
    expect(order).toEqual(['run cancel requested', 'activity cancel requested', 'activity cancelled', 'run cancelled']);

    expect(progress.status).toBe('cancelled');
    expect(progress.steps.find((s) => s.step === 'third-party')?.status).toBe('cancelled');
    expect(progress.steps.filter((s) => s.status === 'failed')).toEqual([]);
  });
});
