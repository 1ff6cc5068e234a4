// Input from any client is checked at the workflow's boundary. These runs are started the way other
// clients start them: by type name with raw JSON (as `temporal workflow start --input` and the Web UI
// do), and once with the real `temporal` CLI. Every bad input must end the run at once with one
// non-retryable InvalidWorkflowInput failure: no activity scheduled, no workflow task failed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, test } from 'vitest';
import { FailureType } from '../../temporal/failure-types.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import { countEvents, eventsOf } from '../support/history.ts';
import { localCli, TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

const UNREACHABLE = { 'server-a': 'http://127.0.0.1:9', 'server-b': 'http://127.0.0.1:9' };

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} the workflows' input boundary`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();

  const cases: Array<[string, 'multiServerWorkflow' | 'simpleWorkflow' | 'publishWorkflow' | 'adaptiveWorkflow', unknown[], string, string]> = [
    ['no input at all', 'multiServerWorkflow', [], '(input)', 'the input must be a JSON object such as {"data": "hello"}, got nothing'],
    ['a number', 'multiServerWorkflow', [42], '(input)', 'the input must be a JSON object such as {"data": "hello"}, got number 42'],
    ['an array', 'simpleWorkflow', [['x']], '(input)', 'the input must be a JSON object such as {"data": "hello"}, got an array'],
    ['data of the wrong type', 'multiServerWorkflow', [{ data: 7 }], 'data', '"data" must be a string, got number'],
    ['no data', 'simpleWorkflow', [{}], 'data', '"data" is required'],
    [
      'retry tuning (not an input)',
      'multiServerWorkflow',
      [{ data: 'x', retry: { initialInterval: 'soon' } }],
      'retry',
      'unknown field "retry"; multiServerWorkflow takes data, metadata, outageLimit, thirdParty',
    ],
    [
      'many unknown fields: one problem naming the first three',
      'simpleWorkflow',
      [{ data: 'x', a: 1, b: 2, c: 3, d: 4 }],
      'a',
      'unknown fields "a", "b", "c", …; simpleWorkflow takes data, metadata, outageLimit',
    ],
    [
      'an unreadable outage limit',
      'multiServerWorkflow',
      [{ data: 'x', outageLimit: 'soon' }],
      'outageLimit',
      '"outageLimit" must be a duration from 1s to 1h such as "30s" or "2m", got "soon"',
    ],
    [
      'a zero outage limit',
      'simpleWorkflow',
      [{ data: 'x', outageLimit: '0s' }],
      'outageLimit',
      '"outageLimit" must be a duration from 1s to 1h such as "30s" or "2m", got "0s"',
    ],
    ['metadata that is not an object', 'multiServerWorkflow', [{ data: 'x', metadata: 'tag' }], 'metadata', '"metadata" must be an object, got string'],
    [
      'a fractional Retry-After',
      'multiServerWorkflow',
      [{ data: 'x', thirdParty: { retryAfterSeconds: 0.5 } }],
      'thirdParty.retryAfterSeconds',
      '"thirdParty.retryAfterSeconds" must be a whole number from 0 to 3600, got 0.5',
    ],
    [
      'a third-party latency out of range',
      'multiServerWorkflow',
      [{ data: 'x', thirdParty: { latencyMs: 60000 } }],
      'thirdParty.latencyMs',
      '"thirdParty.latencyMs" must be a whole number from 0 to 20000, got 60000',
    ],
    [
      'thirdParty on the simple workflow',
      'simpleWorkflow',
      [{ data: 'x', thirdParty: {} }],
      'thirdParty',
      'unknown field "thirdParty"; simpleWorkflow takes data, metadata, outageLimit',
    ],
    ['a review flag that is not a boolean', 'publishWorkflow', [{ data: 'x', review: 'yes' }], 'review', '"review" must be a boolean, got string'],
    [
      'a review deadline past 24 hours',
      'publishWorkflow',
      [{ data: 'x', reviewDeadline: '25h' }],
      'reviewDeadline',
      '"reviewDeadline" must be a duration from 1s to 24h such as "90s" or "10m", got "25h"',
    ],
    [
      'thirdParty on the adaptive workflow (its plan decides the third party)',
      'adaptiveWorkflow',
      [{ data: 'Order 42', thirdParty: { latencyMs: 0 } }],
      'thirdParty',
      'unknown field "thirdParty"; adaptiveWorkflow takes data, metadata, outageLimit',
    ],
    [
      'review settings on the multi-server workflow',
      'multiServerWorkflow',
      [{ data: 'x', review: true }],
      'review',
      'unknown field "review"; multiServerWorkflow takes data, metadata, outageLimit, thirdParty',
    ],
  ];

  test.each(cases)('%s fails %s at once with InvalidWorkflowInput naming the field', async (_name, workflowType, args, field, message) => {
    const taskQueue = uniqueTaskQueue('input');
    const { error, events, progress } = await suite.withWorker(taskQueue, UNREACHABLE, async () => {
      const handle = await suite.client.workflow.start(workflowType, { taskQueue, workflowId: `input-${taskQueue}`, args });
      return { error: await failureOf(handle), events: await eventsOf(handle), progress: await handle.query(progressQuery) };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe(FailureType.invalidInput);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toBe(`Invalid input for ${workflowType}: ${message}`);
    expect(cause.details).toEqual([[{ field, message }]]);
    expect(countEvents(events, 'activityTaskScheduledEventAttributes')).toBe(0);
    expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
    expect(progress).toMatchObject({ status: 'failed', currentStep: null, steps: [] });
  });

  test('every problem of one input is listed, each with its field', async () => {
    const taskQueue = uniqueTaskQueue('input-many');
    const error = await suite.withWorker(taskQueue, UNREACHABLE, async () => {
      const args = [{ data: null, outageLimit: '2h', thirdParty: { failureStatus: 500, extra: true } }];
      return failureOf(await suite.client.workflow.start('multiServerWorkflow', { taskQueue, workflowId: `input-${taskQueue}`, args }));
    });
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect((cause.details?.[0] as Array<{ field: string }>).map((i) => i.field)).toEqual([
      'data',
      'outageLimit',
      'thirdParty.failureStatus',
      'thirdParty.extra',
    ]);
  });

  test.skipIf(!localCli)("a start from Temporal's own `temporal` CLI with bad JSON input fails the same way", async () => {
    if (!temporal.available || !localCli) throw new Error('unreachable');
    const { address, namespace } = temporal;
    const cli = localCli.path;
    const taskQueue = uniqueTaskQueue('temporal-cli');
    const workflowId = `input-${taskQueue}`;
    const error = await suite.withWorker(taskQueue, UNREACHABLE, async () => {
      const args = ['workflow', 'start', '--address', address, '--namespace', namespace, '--task-queue', taskQueue];
      args.push('--type', 'multiServerWorkflow', '--workflow-id', workflowId, '--input', '{"data":"x","retry":{"maximumInterval":"0s"}}');
      await promisify(execFile)(cli, args, { timeout: 20_000 });
      return failureOf(suite.client.workflow.getHandle(workflowId));
    });
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.invalidInput);
    expect(cause.message).toContain('unknown field "retry"');
  });
});
