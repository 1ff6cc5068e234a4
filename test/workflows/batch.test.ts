// batchWorkflow on a real Temporal server with the real services: one child per item, at most K at a time,
// every child's outcome in the result (a child's failure is not the batch's), continue-as-new that drains
// first and never starts a child twice, the input boundary, cancellation reaching the children, and the
// `batch` verb's module driving a real batch. The pure parts of the verb (file formats, the progress
// line) are checked first, without a server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import { createActivities } from '../../temporal/activities/index.ts';
import { createServiceClients } from '../../temporal/activities/service-clients.ts';
import { batchCommand, issueLines, parseBatchFile, progressLine, sampleInputs } from '../../temporal/cli/commands/batch.ts';
import { EXIT, parseCommand } from '../../temporal/cli/args.ts';
import { FailureType } from '../../temporal/failure-types.ts';
import { batchChildId, batchWorkflow } from '../../temporal/workflows/batch.ts';
import { BATCH_LIMITS, batchInputIssues } from '../../temporal/workflows/batch.ts';
import { KIND_NAMES } from '../../temporal/workflows/kinds.ts';
import { batchProgressQuery } from '../../temporal/workflows/batch.ts';
import type { BatchInput, BatchResult } from '../../temporal/workflows/batch.ts';
import { recordingContext } from '../support/command-context.ts';
import { countEvents, eventsOf, type HistoryEvent } from '../support/history.ts';
import { startServerA, startServerB, statusOf } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

const UNREACHABLE = 'http://127.0.0.1:9';

/** The children a run of the batch started, and whether each had closed when the run ended. */
function childrenOf(events: HistoryEvent[]): Array<{ id: string; closed: boolean }> {
  const byEvent = new Map<string, { id: string; closed: boolean }>();
  for (const e of events) {
    const initiated = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (initiated) byEvent.set(String(e.eventId), { id: initiated.workflowId ?? '', closed: false });
    const closedBy = closeOf(e);
    if (closedBy) byEvent.get(closedBy)!.closed = true;
  }
  return [...byEvent.values()];
}

/** The initiating event id of a child that this event closes (or whose start failed). */
function closeOf(e: HistoryEvent): string | undefined {
  const closed =
    e.childWorkflowExecutionCompletedEventAttributes ??
    e.childWorkflowExecutionFailedEventAttributes ??
    e.childWorkflowExecutionCanceledEventAttributes ??
    e.childWorkflowExecutionTerminatedEventAttributes ??
    e.childWorkflowExecutionTimedOutEventAttributes ??
    e.startChildWorkflowExecutionFailedEventAttributes;
  return closed ? String(closed.initiatedEventId) : undefined;
}

/** The most children the batch had open at once, by its own history (initiated until closed). */
function mostOpenAtOnce(events: HistoryEvent[]): number {
  let open = 0;
  let most = 0;
  for (const e of events) {
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) most = Math.max(most, ++open);
    if (closeOf(e)) open--;
  }
  return most;
}

describe('the batch verb, without a server', () => {
  test('a .json file holds an array of inputs or strings; any other file one data string per line, blank lines skipped', () => {
    expect(parseBatchFile('in.json', '[{"data": "a", "outageLimit": "30s"}, "b"]')).toEqual({ items: [{ data: 'a', outageLimit: '30s' }, { data: 'b' }] });
    expect(parseBatchFile('in.txt', 'first\n\n  \r\nsecond line\n')).toEqual({ items: [{ data: 'first' }, { data: 'second line' }], lines: [1, 4] });
    expect(() => parseBatchFile('in.json', '{"data": "a"}')).toThrow('in.json must hold a JSON array of inputs');
    expect(() => parseBatchFile('in.json', '[oops')).toThrow(/^in\.json is not valid JSON: /);
  });

  test("a text file's bad items are named by line", () => {
    const { items, lines } = parseBatchFile('in.txt', 'ok\n\nfine');
    const issues = batchInputIssues({ kind: 'simple', items: [...items, { data: 1 }] });
    expect(issueLines(issues, [...lines!, 9])).toEqual(['  - line 9: "data" must be a string, got number']);
  });

  test('the generated samples are valid input for every kind', () => {
    for (const kind of KIND_NAMES) expect(batchInputIssues({ kind, items: sampleInputs(BATCH_LIMITS.maxItems) })).toEqual([]);
  });

  test('the progress line shows the bar, the counts and the run', () => {
    const progress = {
      workflow: 'batchWorkflow',
      status: 'running',
      kind: 'multi',
      total: 20,
      started: 14,
      succeeded: 7,
      rejected: 1,
      failed: 1,
      running: 5,
      maxConcurrent: 5,
      runs: 2,
    } as const;
    expect(progressLine(progress)).toBe('  [###########.............]  9/20  ✓ 7  ⊘ 1  ✗ 1  running 5  run 2');
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} batches of child workflows`, { timeout: 120_000 }, () => {
  const suite = workflowSuite();

  const startBatch = (taskQueue: string, input: BatchInput) =>
    suite.client.workflow.start(batchWorkflow, { taskQueue, workflowId: `batch-${taskQueue}`, args: [input] });

  test("a mixed batch completes, with each child's outcome in its list: succeeded, rejected (by Server A or by Server B's rules), failed", async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const urls = { 'server-a': a.url, 'server-b': b.url };
    const real = createActivities(createServiceClients(urls));
    // One item fails for a technical reason: its submit is broken, everyone else's goes to Server B.
    const submitPublication: typeof real.submitPublication = async (request) => {
      if (request.content.includes('boom')) throw ApplicationFailure.nonRetryable('the test broke this call', 'TestBreakage');
      return real.submitPublication(request);
    };
    const taskQueue = uniqueTaskQueue('batch-mixed');
    const items = ['Fresh news about the order', '<script>', 'Cheap spam offer', 'Fresh news that goes boom', 'Another fresh story'];
    const { handle, result, progress } = await suite.withWorker(
      taskQueue,
      urls,
      async () => {
        const handle = await startBatch(taskQueue, { kind: 'publish', items: items.map((data) => ({ data })), maxConcurrent: 2 });
        return { handle, result: await handle.result(), progress: await handle.query(batchProgressQuery) };
      },
      { activities: { submitPublication } },
    );
    const id = (index: number) => `${handle.workflowId}-publish-${index}`;
    expect(result).toEqual<BatchResult>({
      workflow: 'batchWorkflow',
      kind: 'publish',
      total: 5,
      runs: 1,
      succeeded: [
        { index: 0, childId: id(0) },
        { index: 4, childId: id(4) },
      ],
      rejected: [
        {
          index: 1,
          childId: id(1),
          type: FailureType.validationFailed,
          reason: expect.stringContaining('data contains characters that are not allowed: "<", ">"'),
        },
        { index: 2, childId: id(2), type: 'PublishRejected', reason: expect.stringContaining('rule no-banned-words: the content contains "spam"') },
      ],
      failed: [{ index: 3, childId: id(3), type: 'TestBreakage', reason: 'activity submitPublication: the test broke this call' }],
    });
    expect(progress).toMatchObject({ status: 'completed', total: 5, started: 5, succeeded: 2, rejected: 2, failed: 1, running: 0, runs: 1 });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    // The children are real runs under the batch's ids, and they ended as the summary says.
    const status = async (i: number) => (await suite.client.workflow.getHandle(id(i)).describe()).status.name;
    expect(await Promise.all([0, 1, 2, 3, 4].map(status))).toEqual(['COMPLETED', 'FAILED', 'COMPLETED', 'FAILED', 'COMPLETED']);
  });

  test('at most maxConcurrent children run at once, and that many do run side by side', async () => {
    const a = await suite.track(startServerA());
    const urls = { 'server-a': a.url, 'server-b': UNREACHABLE };
    const real = createActivities(createServiceClients(urls));
    let inCall = 0;
    let mostInCalls = 0;
    // The first calls wait until 3 are in at once (the bound), so the children overlap for sure; a batch that
    // ran fewer side by side would hold them there until their attempts timed out, and the counts below say so.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const validateData: typeof real.validateData = async (request) => {
      mostInCalls = Math.max(mostInCalls, ++inCall);
      if (inCall >= 3) openGate();
      try {
        await gate;
        return await real.validateData(request);
      } finally {
        inCall--;
      }
    };
    const taskQueue = uniqueTaskQueue('batch-bound');
    const { result, events } = await suite.withWorker(
      taskQueue,
      urls,
      async () => {
        const handle = await startBatch(taskQueue, { kind: 'simple', items: sampleInputs(8), maxConcurrent: 3 });
        return { result: await handle.result(), events: await eventsOf(handle) };
      },
      { activities: { validateData } },
    );
    expect(result.succeeded).toHaveLength(8);
    // By the batch's own history: never more than 3 children between initiated and closed, and 3 at some point.
    expect(mostOpenAtOnce(events)).toBe(3);
    expect(mostInCalls).toBe(3);
  });

  test('a batch past the continue-as-new threshold continues as new with no child running, covers every item, and starts no child twice', async () => {
    const a = await suite.track(startServerA());
    const taskQueue = uniqueTaskQueue('batch-can');
    const { handle, result, progress, description } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': UNREACHABLE }, async () => {
      const handle = await startBatch(taskQueue, { kind: 'simple', items: sampleInputs(7), maxConcurrent: 2, continueAsNewAfter: 3 });
      return { handle, result: await handle.result(), progress: await handle.query(batchProgressQuery), description: await handle.describe() };
    });
    const ids = [0, 1, 2, 3, 4, 5, 6].map((i) => batchChildId(handle.workflowId, 'simple', i));
    expect(result).toEqual({
      workflow: 'batchWorkflow',
      kind: 'simple',
      total: 7,
      runs: 3,
      succeeded: ids.map((childId, index) => ({ index, childId })),
      rejected: [],
      failed: [],
    });
    expect(progress).toMatchObject({ status: 'completed', total: 7, started: 7, succeeded: 7, runs: 3 });

    // The run chain, from the first run: each ends by continuing as new, the last by completing.
    const runs: HistoryEvent[][] = [];
    const runIds: string[] = [];
    for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
      const events = await eventsOf(suite.client.workflow.getHandle(handle.workflowId, runId));
      runs.push(events);
      runIds.push(runId);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(runs.map((events) => Object.keys(events.at(-1)!).find((k) => k.startsWith('workflowExecution')))).toEqual([
      'workflowExecutionContinuedAsNewEventAttributes',
      'workflowExecutionContinuedAsNewEventAttributes',
      'workflowExecutionCompletedEventAttributes',
    ]);
    // The workflow id now names the last run.
    expect(description).toMatchObject({ runId: runIds[2], status: { name: 'COMPLETED' } });
    // 3 + 3 + 1 children, each closed before its run ended, and each id started exactly once.
    const children = runs.map(childrenOf);
    expect(children.map((c) => c.map((x) => x.id))).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    expect(children.flat().every((c) => c.closed)).toBe(true);
    for (const events of runs) expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
  });

  const badInputs: Array<[string, unknown, Array<[string, string]>]> = [
    [
      'every field wrong',
      { kind: 'bulk', items: [{ data: 7 }, 'text', { data: 'ok', retry: 1 }], maxConcurrent: 0, continueAsNewAfter: 2.5, priority: 'high' },
      [
        ['kind', '"kind" must be one of multi, simple, publish, adaptive, got "bulk"'],
        ['maxConcurrent', '"maxConcurrent" must be a whole number from 1 to 50, got 0'],
        ['continueAsNewAfter', '"continueAsNewAfter" must be a whole number from 1 to 1000, got 2.5'],
        ['priority', 'unknown field "priority"; batchWorkflow takes kind, items, maxConcurrent, continueAsNewAfter'],
        ['items[0].data', 'items[0]: "data" must be a string, got number'],
        ['items[1]', 'items[1]: the input must be a JSON object such as {"data": "hello"}, got string "text"'],
        ['items[2].retry', 'items[2]: unknown field "retry"; multiServerWorkflow takes data, metadata, outageLimit, thirdParty'],
      ],
    ],
    [
      'an item with a field its kind does not take',
      // The good item's short outage limit: were the bad one let through, the batch would end in seconds, not hang.
      {
        kind: 'simple',
        items: [
          { data: 'ok', outageLimit: '1s' },
          { data: 'x', thirdParty: {} },
        ],
      },
      [['items[1].thirdParty', 'items[1]: unknown field "thirdParty"; simpleWorkflow takes data, metadata, outageLimit']],
    ],
    [
      'more items than a batch holds',
      { kind: 'simple', items: sampleInputs(BATCH_LIMITS.maxItems + 1) },
      [['items', `"items" must be an array of 1 to ${BATCH_LIMITS.maxItems} inputs, got ${BATCH_LIMITS.maxItems + 1} items`]],
    ],
  ];

  test.each(badInputs)(
    'a bad batch input (%s) fails at once with InvalidWorkflowInput naming each field, and starts no child',
    async (_name, input, expected) => {
      const taskQueue = uniqueTaskQueue('batch-input');
      const { error, events, progress } = await suite.withWorker(taskQueue, { 'server-a': UNREACHABLE, 'server-b': UNREACHABLE }, async () => {
        // By type name with raw JSON, as `temporal workflow start` or the Web UI would send it.
        const handle = await suite.client.workflow.start('batchWorkflow', { taskQueue, workflowId: `batch-${taskQueue}`, args: [input] });
        return { error: await failureOf(handle), events: await eventsOf(handle), progress: await handle.query(batchProgressQuery) };
      });
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause).toMatchObject({ type: FailureType.invalidInput, nonRetryable: true });
      expect(cause.message).toBe(`Invalid input for batchWorkflow: ${expected.map(([, message]) => message).join('; ')}`);
      expect(cause.details).toEqual([expected.map(([field, message]) => ({ field, message }))]);
      expect(countEvents(events, 'startChildWorkflowExecutionInitiatedEventAttributes')).toBe(0);
      expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
      expect(progress).toMatchObject({ status: 'failed', started: 0 });
    },
  );

  test('cancelling a batch cancels its running children, waits until they have ended, starts no more, and ends cancelled', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('batch-cancel');
    // Each child waits on a 20 s third-party call; two run, two wait their turn.
    const items = [1, 2, 3, 4].map((n) => ({ data: `slow item ${n}`, thirdParty: { latencyMs: 20_000, failureRate: 0 } }));
    const { handle, error, events, progress } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await startBatch(taskQueue, { kind: 'multi', items, maxConcurrent: 2 });
      await expect.poll(async () => (await statusOf(b)).endpoints['POST /third-party-api']?.inFlight, { timeout: 30_000 }).toBe(2);
      await handle.cancel();
      return { handle, error: await failureOf(handle), events: await eventsOf(handle), progress: await handle.query(batchProgressQuery) };
    });
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(progress).toMatchObject({ status: 'cancelled', total: 4, started: 2, succeeded: 0, failed: 2, running: 0 });
    // Both calls were aborted at Server B, not answered.
    expect((await statusOf(b)).endpoints['POST /third-party-api']).toMatchObject({ requests: 2, aborted: 2, inFlight: 0 });
    const child = (i: number) => suite.client.workflow.getHandle(batchChildId(handle.workflowId, 'multi', i));
    expect(await Promise.all([0, 1].map(async (i) => (await child(i).describe()).status.name))).toEqual(['CANCELLED', 'CANCELLED']);
    for (const i of [2, 3]) await expect(child(i).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // In the batch's history: its cancel request, both children's cancellation, and only then its own end.
    const order = events
      .map((e) =>
        e.workflowExecutionCancelRequestedEventAttributes
          ? 'batch cancel requested'
          : e.childWorkflowExecutionCanceledEventAttributes
            ? 'child cancelled'
            : e.workflowExecutionCanceledEventAttributes
              ? 'batch cancelled'
              : null,
      )
      .filter((x) => x !== null);
    expect(order).toEqual(['batch cancel requested', 'child cancelled', 'child cancelled', 'batch cancelled']);
  });

  test('the batch verb starts a batch, shows its progress, prints the summary, and exits 0 although a child was rejected', async () => {
    const a = await suite.track(startServerA());
    const taskQueue = uniqueTaskQueue('batch-verb');
    const ctx = recordingContext(suite.client, taskQueue);
    const said = ctx.lines;
    const dir = await mkdtemp(join(tmpdir(), 'batch-verb-'));
    try {
      const file = join(dir, 'inputs.txt');
      await writeFile(file, 'Hello there\n\n<b>bold</b>\nGood morning\n');
      const code = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': UNREACHABLE }, () =>
        batchCommand(ctx, { file, kind: 'simple', concurrency: 2 }),
      );
      expect(code).toBe(EXIT.completed);
      const workflowId = /Workflow ID {2}(batch-\S+)/.exec(said.join('\n'))?.[1];
      expect(workflowId).toBeDefined();
      expect(said).toContain(`  Children     ${workflowId}-simple-0 … ${workflowId}-simple-2`);
      expect(said).toContain('  ⊘ 1 rejected');
      expect(said).toContain('Some children did not succeed. The batch itself completed (exit code 0): their outcomes are its result.');
      // The last line drawn (cli-progress ends each with its own newline).
      expect(ctx.drawn.join('').split('\n').at(-2)).toBe('  [########################] 3/3  ✓ 2  ⊘ 1  ✗ 0  running 0');
      expect(ctx.outputs).toEqual([
        expect.objectContaining({
          workflowId,
          status: 'completed',
          total: 3,
          succeeded: [expect.anything(), expect.anything()],
          rejected: [expect.objectContaining({ index: 1, type: FailureType.validationFailed })],
        }),
      ]);
      // A bad file is a usage error before anything starts.
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '[{"data": 1}]');
      said.length = 0;
      expect(await batchCommand(ctx, { file: bad, kind: 'simple', concurrency: 2 })).toBe(EXIT.usage);
      expect(said).toEqual([`The batch from ${bad} cannot run: 1 problem`, '  - items[0]: "data" must be a string, got number']);
      // Too many generated inputs are refused by the command line.
      expect(() => parseCommand(['batch', '--count', String(BATCH_LIMITS.maxItems + 1)])).toThrow(
        `It must be a whole number from 1 to ${BATCH_LIMITS.maxItems}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
