// Failure paths that no healthy service produces, on the real server with the real workflow code:
// answers that are not the service's (an HTML page, an unknown host), and activities replaced by
// plain functions. Copy the latter pattern to test a workflow's branches without the services.
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import express from 'express';
import { describe, expect, test } from 'vitest';
import type { ProcessExternalResponse } from '../../server-b/contract.ts';
import { listen } from '../../shared/service/serve.ts';
import { FailureType } from '../../temporal/failure-types.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { activitiesOf, eventsOf } from '../support/history.ts';
import { HOST, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} failure paths`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();

  function activityCause(error: unknown): { activity: ActivityFailure; cause: ApplicationFailure } {
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activity = (error as WorkflowFailedError).cause as ActivityFailure;
    expect(activity).toBeInstanceOf(ActivityFailure);
    return { activity, cause: activity.cause as ApplicationFailure };
  }

  test("a proxy's HTML page where Server A should answer fails the step at once as BadResponse", async () => {
    const proxy = express();
    proxy.use((_req, res) => {
      res.type('html').send('<html><body>502-ish gateway page</body></html>');
    });
    const page = await suite.track(listen(proxy, HOST, 0));
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('html');
    const { error, events } = await suite.withWorker(taskQueue, { 'server-a': page.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'hello' });
      return { error: await failureOf(handle), events: await eventsOf(handle) };
    });
    const { activity, cause } = activityCause(error);
    expect(activity).toMatchObject({ activityType: 'validateData', retryState: 'NON_RETRYABLE_FAILURE' });
    expect(cause).toMatchObject({ type: FailureType.badResponse, nonRetryable: true });
    expect(cause.message).toBe(
      `server-a POST /validate answered HTTP 200 (text/html; charset=utf-8) with an unexpected body: it is not JSON; is SERVER_A_URL ("${page.url}") really server-a?`,
    );
    expect(activitiesOf(events).map((x) => [x.type, x.attempt])).toEqual([['validateData', 1]]);
  });

  test('an unknown host fails at once as ServiceMisconfigured naming the variable to fix', async () => {
    const a = await suite.track(startServerA());
    const taskQueue = uniqueTaskQueue('unknown-host');
    const url = 'http://no-such-host.invalid:3002';
    const { error, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': url }, async () => {
      const handle = await suite.start('multi', taskQueue, { data: 'hello' });
      return { error: await failureOf(handle), events: await eventsOf(handle) };
    });
    const { activity, cause } = activityCause(error);
    expect(activity).toMatchObject({ activityType: 'checkHealth', retryState: 'NON_RETRYABLE_FAILURE' });
    expect(cause.type).toBe(FailureType.misconfigured);
    expect(cause.message).toMatch(/^server-b GET \/ping cannot work: ENOTFOUND \(.*\); check SERVER_B_URL \(now "http:\/\/no-such-host\.invalid:3002"\)$/);
    expect(activitiesOf(events).find((x) => x.input === 'server-b')).toMatchObject({ attempt: 1, outcome: 'failed' });
  });

  test('with activities replaced by functions: Server B answering for other content shows as a hash mismatch', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('mocked');
    const result = await suite.withWorker(
      taskQueue,
      { 'server-a': a.url, 'server-b': b.url },
      async () => (await (await suite.start('multi', taskQueue, { data: 'hello world' })).result()) as MultiServerResult,
      {
        activities: {
          processExternal: async (): Promise<ProcessExternalResponse> => ({
            reference: 'EXT-000000000000',
            uniqueWords: ['other'],
            uniqueWordCount: 1,
            contentHash: 'not-the-same-hash',
            processedBy: 'server-b',
            processedAt: '2026-01-01T00:00:00.000Z',
          }),
        },
      },
    );
    expect(result.summary).toMatchObject({ reference: 'EXT-000000000000', hashesMatch: false });
  });

  test('with activities replaced by functions: a rejected request fails its step once and is not mistaken for an outage', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('rejected');
    const rejection = ApplicationFailure.create({ type: FailureType.rejected, message: 'server-b POST /enrich answered HTTP 422: nope', nonRetryable: true });
    let calls = 0;
    const error = await suite.withWorker(
      taskQueue,
      { 'server-a': a.url, 'server-b': b.url },
      async () => failureOf(await suite.start('multi', taskQueue, { data: 'hello world' })),
      {
        activities: {
          enrichData: async () => {
            calls += 1;
            throw rejection;
          },
        },
      },
    );
    const { activity, cause } = activityCause(error);
    expect(activity).toMatchObject({ activityType: 'enrichData', retryState: 'NON_RETRYABLE_FAILURE' });
    expect(cause).toMatchObject({ type: FailureType.rejected, message: 'server-b POST /enrich answered HTTP 422: nope' });
    expect(calls).toBe(1);
  });
});
