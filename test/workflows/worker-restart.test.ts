// A worker stopped mid-run: the activity it was running finishes within the shutdown grace time,
// and a second worker continues from the history. Nothing is re-run and no workflow task fails.
import { describe, expect, test } from 'vitest';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { activitiesOf, countEvents, eventsOf, workflowTaskWorkers } from '../support/history.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, testWorker, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} worker restart`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();

  test('a worker stopped mid-step lets that step finish; a new worker continues from the history without re-running anything', async () => {
    const held = gate('/process-internal');
    const a = await suite.track(startServerA({ before: held.middleware }));
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('worker-restart');
    const urls = { 'server-a': a.url, 'server-b': b.url };
    const first = await testWorker(suite.connections, taskQueue, urls, { identity: 'first-worker' });
    const firstRun = first.run();
    const handle = await suite.start('multi', taskQueue, { data: 'survive a restart' });
    await held.arrived;
    first.shutdown(); // stops polling; the activity in flight may finish within the grace time
    held.release();
    await firstRun;
    // No worker now: the run waits in Temporal.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const beforeRestart = activitiesOf(await eventsOf(handle));
    expect(beforeRestart.at(-1)).toMatchObject({ type: 'processInternal', attempt: 1, startedBy: 'first-worker', outcome: 'completed' });

    const second = await testWorker(suite.connections, taskQueue, urls, { identity: 'second-worker' });
    const result = (await second.runUntil(() => handle.result())) as MultiServerResult;
    expect(result.summary.hashesMatch).toBe(true);

    const events = await eventsOf(handle);
    const activities = activitiesOf(events);
    // Each step's activity was scheduled exactly once and ran once, by the worker that was up at the time.
    expect(activities.map((x) => [x.type, x.attempt, x.startedBy])).toEqual([
      ['validateData', 1, 'first-worker'],
      ['checkHealth', 1, 'first-worker'],
      ['checkHealth', 1, 'first-worker'],
      ['processInternal', 1, 'first-worker'],
      ['processExternal', 1, 'second-worker'],
      ['enrichData', 1, 'second-worker'],
    ]);
    // Workflow tasks up to processInternal's completion were the first worker's; every later one was
    // completed by the second worker, which rebuilt the run's state from the history.
    const restartAt = events.findIndex((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === beforeRestart.at(-1)!.scheduledEventId);
    const before = workflowTaskWorkers(events.slice(0, restartAt));
    const after = workflowTaskWorkers(events.slice(restartAt));
    expect(new Set(before)).toEqual(new Set(['first-worker']));
    expect(new Set(after)).toEqual(new Set(['second-worker']));
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
  });
});
