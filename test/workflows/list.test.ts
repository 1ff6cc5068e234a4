// The `list` verb: its visibility query (pure, so every filter and every quoting rule is checked without
// a server), and the verb against the suite's real server, over runs started with their search
// attributes set (the attributes a run's own upserts would set later). Visibility lags behind a start:
// each look at it is repeated until a deadline, never a fixed sleep.
import { spawnSync } from 'node:child_process';
import { Client, type WorkflowHandle } from '@temporalio/client';
import protos from '@temporalio/proto';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listCommand, queryLines, runTable, shellQuote } from '../../temporal/cli/commands/list.ts';
import { EXIT, parseCommand } from '../../temporal/cli/args.ts';
import type { RunRow } from '../../temporal/runs/contract.ts';
import { executionStatus, quoteValue, visibilityQuery } from '../../temporal/runs/visibility.ts';
import { ensureSearchAttributes } from '../../temporal/search-attributes-registration.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import { CURRENT_STEP, DATA_CATEGORY, REVIEW_STATE } from '../../temporal/workflows/search-attributes.ts';
import { type RecordingContext, recordingContext, runVerb } from '../support/command-context.ts';
import { connectToTemporal, TEMPORAL_TAG, temporal, type TemporalConnections, uniqueTaskQueue } from '../support/temporal.ts';

describe('the visibility query', () => {
  test('no filter: the empty query (every run)', () => {
    expect(visibilityQuery({})).toBe('');
  });

  test('each filter on its own', () => {
    expect(visibilityQuery({ status: 'Running' })).toBe('ExecutionStatus = "Running"');
    expect(visibilityQuery({ category: 'commerce' })).toBe('DataCategory = "commerce"');
    expect(visibilityQuery({ step: 'enrich' })).toBe('CurrentStep = "enrich"');
    // Waiting means running: a run that ended without a decision keeps "pending" but waits for nobody.
    expect(visibilityQuery({ review: 'pending' })).toBe('ReviewState = "pending" AND ExecutionStatus = "Running"');
    expect(visibilityQuery({ review: 'approved' })).toBe('ReviewState = "approved"');
    expect(visibilityQuery({ workflowIdPrefix: 'multi-server-every-5m' })).toBe('WorkflowId STARTS_WITH "multi-server-every-5m"');
  });

  test('filters together, joined by AND in a fixed order', () => {
    expect(visibilityQuery({ workflowIdPrefix: 'publish-', review: 'escalated', step: 'review', category: 'news', status: 'running' })).toBe(
      'ExecutionStatus = "Running" AND DataCategory = "news" AND CurrentStep = "review" AND ReviewState = "escalated" AND WorkflowId STARTS_WITH "publish-"',
    );
  });

  test('a value is one double-quoted literal: quotes and backslashes are escaped, so it cannot add conditions', () => {
    expect(quoteValue('plain')).toBe('"plain"');
    expect(quoteValue("it's")).toBe(`"it's"`);
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue('back\\slash')).toBe('"back\\\\slash"');
    // A trailing backslash must not escape the closing quote.
    expect(quoteValue('x\\')).toBe('"x\\\\"');
    expect(visibilityQuery({ category: 'x" OR WorkflowId != "' })).toBe('DataCategory = "x\\" OR WorkflowId != \\""');
    expect(quoteValue('')).toBe('""');
  });

  test('statuses: the seven names visibility knows, in any case; anything else is a usage error listing them', () => {
    expect(['running', 'COMPLETED', 'failed', 'canceled', 'cancelled', 'Terminated', 'timedout', 'timed_out', 'continuedasnew'].map(executionStatus)).toEqual([
      'Running',
      'Completed',
      'Failed',
      'Canceled',
      'Canceled',
      'Terminated',
      'TimedOut',
      'TimedOut',
      'ContinuedAsNew',
    ]);
    expect(executionStatus('done')).toBeUndefined();
    expect(() => visibilityQuery({ status: 'done' })).toThrow(
      '--status must be one of Running, Completed, Failed, Canceled, Terminated, TimedOut, ContinuedAsNew, got "done"',
    );
  });

  test('the query is printed with the same search for the Web UI and for `temporal workflow list`, quoted for the shell', () => {
    expect(queryLines('ExecutionStatus = "Running"', 'default')).toEqual([
      'Query   ExecutionStatus = "Running"',
      "  Web UI: paste it in the Workflows page's search box",
      `  CLI:    temporal workflow list --namespace default --query 'ExecutionStatus = "Running"'`,
    ]);
    expect(queryLines('', 'my namespace')).toEqual([
      'Query   (none: every run)',
      "  Web UI: paste it in the Workflows page's search box",
      "  CLI:    temporal workflow list --namespace 'my namespace'",
    ]);
    // What the shell hands the CLI is exactly the query, whatever quotes it holds.
    for (const text of [visibilityQuery({ category: 'it\'s "x" $HOME `id`', step: 'a\\b' }), 'plain', "'", '']) {
      const echoed = spawnSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(text)}`], { encoding: 'utf8' });
      expect(echoed.stdout, text).toBe(text);
    }
  });

  test('limit: 1 to 1000, 20 by default', () => {
    const limit = (...argv: string[]) => (parseCommand(['list', ...argv]) as { limit: number }).limit;
    expect(limit()).toBe(20);
    expect(limit('--limit', '1')).toBe(1);
    expect(limit('--limit', '1000')).toBe(1000);
    for (const bad of ['0', '1001', '2.5', 'NaN']) expect(() => limit('--limit', bad), bad).toThrow('It must be a whole number from 1 to 1000');
  });

  test('the table: one column per field, "-" for an attribute a run has not set', () => {
    const row: RunRow = {
      workflowId: 'multi-server-abc',
      runId: 'r1',
      type: 'multiServerWorkflow',
      status: 'Running',
      startTime: '2026-12-01T23:05:00Z',
      closeTime: null,
      dataCategory: 'commerce',
      currentStep: null,
      reviewState: null,
    };
    expect(runTable([row, { ...row, workflowId: 'p', type: 'publishWorkflow', reviewState: 'pending', currentStep: 'review' }])).toEqual([
      'WORKFLOW ID       TYPE                 STATUS   STARTED               DataCategory  CurrentStep  ReviewState',
      'multi-server-abc  multiServerWorkflow  Running  2026-12-01T23:05:00Z  commerce      -            -',
      'p                 publishWorkflow      Running  2026-12-01T23:05:00Z  commerce      review       pending',
    ]);
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} list against the server`, { timeout: 60_000 }, () => {
  let connections: TemporalConnections;
  const started: WorkflowHandle[] = [];
  // Every run of this file starts with the prefix, so the other test files' runs never match.
  const prefix = `list-test-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}-`;
  const taskQueue = uniqueTaskQueue('list');

  beforeAll(async () => {
    connections = await connectToTemporal();
    await ensureSearchAttributes(connections.nativeConnection, connections.namespace);
  });
  afterAll(async () => {
    await Promise.all(started.map((h) => h.terminate('list test done').catch(() => undefined)));
    await connections?.close();
  });

  /**
   * A multi-server run with its search attributes set at start. No worker polls its task queue: it stays
   * Running, which is all a visibility query needs.
   */
  async function startRun(name: string, attributes: { category?: string; step?: string; review?: string }) {
    const pairs = [
      ...(attributes.category !== undefined ? [{ key: DATA_CATEGORY, value: attributes.category }] : []),
      ...(attributes.step !== undefined ? [{ key: CURRENT_STEP, value: attributes.step }] : []),
      ...(attributes.review !== undefined ? [{ key: REVIEW_STATE, value: attributes.review }] : []),
    ];
    const handle = await connections.client.workflow.start(WORKFLOW_KINDS.multi.workflow, {
      taskQueue,
      workflowId: `${prefix}${name}`,
      args: [{ data: 'hello' }],
      typedSearchAttributes: pairs,
    });
    started.push(handle);
    return handle;
  }

  /** Runs `list` until `done` accepts its rows (visibility catches up), and returns the last rows. */
  async function listUntil(ctx: RecordingContext, options: Parameters<typeof listCommand>[1], done: (rows: RunRow[]) => boolean): Promise<RunRow[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      expect(await runVerb(ctx, () => listCommand(ctx, options))).toBe(EXIT.completed);
      const rows = ctx.lastOut<RunRow[]>();
      if (done(rows) || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const ids = (rows: RunRow[]) => rows.map((r) => r.workflowId).sort();

  test('finds a run by status, its search attributes and id prefix, prints the query, then the run with its attributes', async () => {
    const handle = await startRun('attributes', { category: "it's commerce", step: 'validate', review: 'none' });
    const ctx = recordingContext(connections.client, taskQueue);
    const options = { status: 'running', category: "it's commerce", step: 'validate', review: 'none', workflowIdPrefix: prefix, limit: 5 };
    const rows = await listUntil(ctx, options, (r) => r.length > 0);

    expect(rows).toEqual([
      {
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
        type: 'multiServerWorkflow',
        status: 'Running',
        startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        closeTime: null,
        dataCategory: "it's commerce",
        currentStep: 'validate',
        reviewState: 'none',
      },
    ]);
    const query = `ExecutionStatus = "Running" AND DataCategory = "it's commerce" AND CurrentStep = "validate" AND ReviewState = "none" AND WorkflowId STARTS_WITH "${prefix}"`;
    expect(ctx.lines.slice(-6)).toEqual([
      `Query   ${query}`,
      "  Web UI: paste it in the Workflows page's search box",
      `  CLI:    temporal workflow list --namespace ${ctx.config.temporal.namespace} --query '${query.replace("'", "'\\''")}'`,
      '',
      expect.stringMatching(/^WORKFLOW ID\s+TYPE\s+STATUS\s+STARTED\s+DataCategory\s+CurrentStep\s+ReviewState$/),
      expect.stringMatching(new RegExp(`^${handle.workflowId}\\s+multiServerWorkflow\\s+Running\\s+\\S+Z\\s+it's commerce\\s+validate\\s+none$`)),
    ]);
  });

  test('each filter leaves out the runs it does not match, and --limit stops early', async () => {
    const news = await startRun('news', { category: 'news', step: 'enrich' });
    const commerce = await startRun('commerce', { category: 'commerce', step: 'enrich' });
    const bare = await startRun('bare', {});
    const mine = [news, commerce, bare].map((h) => h.workflowId).sort();
    const ctx = recordingContext(connections.client, taskQueue);
    const of = (rows: RunRow[]) => ids(rows).filter((id) => mine.includes(id));

    // All three visible first: only then does a run's absence mean the filter left it out.
    expect(of(await listUntil(ctx, { workflowIdPrefix: prefix, limit: 100 }, (r) => of(r).length === 3))).toEqual(mine);

    expect(of(await listUntil(ctx, { workflowIdPrefix: prefix, category: 'news', limit: 100 }, () => true))).toEqual([news.workflowId]);
    expect(of(await listUntil(ctx, { workflowIdPrefix: prefix, step: 'enrich', limit: 100 }, () => true))).toEqual(
      [commerce.workflowId, news.workflowId].sort(),
    );
    expect(of(await listUntil(ctx, { workflowIdPrefix: prefix, review: 'pending', limit: 100 }, () => true))).toEqual([]);
    expect(of(await listUntil(ctx, { workflowIdPrefix: prefix, status: 'Completed', limit: 100 }, () => true))).toEqual([]);
    expect(of(await listUntil(ctx, { workflowIdPrefix: `${prefix}ba`, limit: 100 }, () => true))).toEqual([bare.workflowId]);

    const two = await listUntil(ctx, { workflowIdPrefix: prefix, limit: 2 }, () => true);
    expect(two).toHaveLength(2);
    expect(ctx.lines.at(-1)).toBe('(stopped at --limit 2: there may be more)');
  });

  test('a value with quotes stays one value: it matches nothing instead of widening the query', async () => {
    const handle = await startRun('injection', { category: 'books' });
    const ctx = recordingContext(connections.client, taskQueue);
    await listUntil(ctx, { workflowIdPrefix: prefix, category: 'books', limit: 5 }, (r) => r.length === 1);

    // Unescaped, this would read: DataCategory = "x" OR WorkflowId STARTS_WITH "" AND WorkflowId STARTS_WITH "<prefix>"
    const rows = await listUntil(ctx, { category: 'x" OR WorkflowId STARTS_WITH "', workflowIdPrefix: prefix, limit: 5 }, () => true);
    expect(rows.map((r) => r.workflowId)).not.toContain(handle.workflowId);
    expect(rows).toEqual([]);
    expect(ctx.lines).toContain('No runs match. (Visibility lags a second or so behind: a run started just now may show in a moment.)');
  });

  // A bad --limit never gets here: the command line refuses it (the limit test above, and cli.test.ts for exit 2).
  test('a bad --status is a usage error (exit 2) that asks the server nothing', async () => {
    const ctx = recordingContext(connections.client, taskQueue);
    expect(await runVerb(ctx, () => listCommand(ctx, { status: 'finished', limit: 20 }))).toBe(EXIT.usage);
    expect(ctx.errors.join('')).toContain('--status must be one of Running, Completed, Failed, Canceled, Terminated, TimedOut, ContinuedAsNew, got "finished"');
    expect(ctx.lines).toEqual([]);
    expect(ctx.outputs).toEqual([{ error: { message: expect.stringContaining('--status') } }]);
  });

  test('a namespace without the search attributes: exit 1 saying so and how to fix it, not "could not reach"', async () => {
    const namespace = `list-bare-${nanoid(6).replace(/[^A-Za-z0-9]/g, 'x')}`;
    await connections.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: protos.google.protobuf.Duration.fromObject({ seconds: 86_400 }),
    });
    const client = new Client({ connection: connections.client.connection, namespace });
    const ctx = recordingContext(client, taskQueue);
    ctx.config.temporal.namespace = namespace;
    // A new namespace takes a moment to be usable by visibility: until then the query fails differently.
    await expect
      .poll(
        async () => {
          const errors = ctx.errors.length;
          const code = await runVerb(ctx, () => listCommand(ctx, { category: 'news', limit: 5 }));
          return [code, ctx.errors.slice(errors).join('')];
        },
        { timeout: 20_000 },
      )
      .toEqual([EXIT.failed, expect.stringContaining(`The namespace "${namespace}" lacks a search attribute of this query`)]);
  });
});
