// The distributed cron (temporal/schedules.ts) through the `schedule` verb's function, on the suite's
// real server with a real worker and services: a schedule is created with a long interval and triggered
// on demand, and the run it starts is followed to its result. Every schedule a test creates is deleted
// after it, whatever happened.
import { ScheduleNotFoundError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, test } from 'vitest';
import { type CliCommand, EXIT, parseCommand } from '../../temporal/cli/args.ts';
import { scheduleCommand, type ScheduledRun } from '../../temporal/cli/commands/schedule.ts';
import { formatInterval, parseInterval, SCHEDULE_POLICY, scheduleIdIssue } from '../../temporal/schedules.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import { type RecordingContext, recordingContext, runVerb } from '../support/command-context.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

/** The `schedule` verb as the client runs it: its command line parsed, then run with the test's context. */
function scheduleVerb(ctx: RecordingContext, ...argv: string[]): Promise<number> {
  const command = parseCommand(['schedule', ...argv]) as Extract<CliCommand, { verb: 'schedule' }>;
  return runVerb(ctx, () => scheduleCommand(ctx, command));
}

describe('schedule settings', () => {
  test('--every takes 1m to 24h in whole seconds, and says why anything else is refused', () => {
    expect(parseInterval('5m')).toEqual({ ms: 300_000 });
    expect(parseInterval('1m')).toEqual({ ms: 60_000 });
    expect(parseInterval('90s')).toEqual({ ms: 90_000 });
    expect(parseInterval('24h')).toEqual({ ms: 86_400_000 });
    expect(parseInterval('59s')).toEqual({ issue: 'must be from 1m to 24h, got "59s"' });
    expect(parseInterval('25h')).toEqual({ issue: 'must be from 1m to 24h, got "25h"' });
    expect(parseInterval('soon')).toEqual({ issue: 'must be a duration such as 5m or 1h, got "soon"' });
    expect(parseInterval('60500ms')).toEqual({ issue: 'must be whole seconds (Temporal rounds intervals to the second), got "60500ms"' });
  });

  test('schedule ids: letters, digits, ".", "_" and "-", up to 100', () => {
    for (const ok of ['every-5m', 'nightly.import_2', 'A', 'x'.repeat(100)]) expect(scheduleIdIssue(ok), ok).toBeUndefined();
    for (const bad of ['', 'has space', '-leading', 'slash/y', 'x'.repeat(101)]) expect(scheduleIdIssue(bad), bad).toMatch(/^must be 1 to 100 letters/);
  });

  test('a bad id or --every is refused by the command line, naming why, before anything is created', () => {
    const cases: Array<[string[], string]> = [
      [['--id', 'x', '--every', '30s'], `Option '--every <time>' argument '30s' is invalid. It must be from 1m to 24h, got "30s"`],
      [['--id', 'x', '--every', 'hourly'], 'It must be a duration such as 5m or 1h, got "hourly"'],
      [['--id', 'no spaces please', '--every', '5m'], 'The schedule id must be 1 to 100 letters'],
      [['--id', 'x'], 'schedule create needs --id ID and --every TIME'],
      [['--every', '1h'], 'schedule create needs --id ID and --every TIME'],
    ];
    for (const [argv, reason] of cases) expect(() => parseCommand(['schedule', 'create', ...argv]), reason).toThrow(reason);
    expect(parseCommand(['schedule', 'create', '--id', 'x', '--every', '90m'])).toMatchObject({ id: 'x', everyMs: 90 * 60_000 });
  });

  test('intervals read as people write them', () => {
    expect([60_000, 90_000, 300_000, 3_600_000, 5_400_000, 86_400_000].map(formatInterval)).toEqual(['1m', '1m30s', '5m', '1h', '1h30m', '24h']);
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} schedules`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();
  const created: string[] = [];

  /** A fresh schedule id, deleted after the test. */
  const scheduleId = () => {
    const id = `test-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
    created.push(id);
    return id;
  };

  afterEach(async () => {
    for (const id of created.splice(0)) {
      await suite.client.schedule
        .getHandle(id)
        .delete()
        .catch((error: unknown) => {
          if (!(error instanceof ScheduleNotFoundError)) throw error;
        });
    }
  });

  const describeSchedule = (id: string) => suite.client.schedule.getHandle(id).describe();
  const services = async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    return { 'server-a': a.url, 'server-b': b.url };
  };

  test('create, then trigger on demand: the run it starts is the multi-server workflow with the data, and it completes', async () => {
    const urls = await services();
    const taskQueue = uniqueTaskQueue('schedule');
    const ctx = recordingContext(suite.client, taskQueue);
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '24h', '--data', 'Scheduled order check')).toBe(EXIT.completed);
    expect(ctx.lastOut()).toMatchObject({ scheduleId: id, every: '24h', taskQueue, workflowIdPrefix: `multi-server-${id}` });

    const { run, result } = await suite.withWorker(taskQueue, urls, async () => {
      expect(await scheduleVerb(ctx, 'trigger', id)).toBe(EXIT.completed);
      const { run } = ctx.lastOut<{ run: ScheduledRun }>();
      const result = (await suite.client.workflow.getHandle(run.workflowId, run.runId).result()) as MultiServerResult;
      return { run, result };
    });

    // Temporal names a scheduled run after the schedule's workflow id and the tick's time.
    expect(run.workflowId).toMatch(new RegExp(`^multi-server-${id}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    expect(result.workflow).toBe('multiServerWorkflow');
    expect(result.input).toEqual({ data: 'Scheduled order check' });
    expect(result.summary.category).toBe('commerce');
    expect(ctx.lines).toContain(`  Workflow ID  ${run.workflowId}`);

    const described = await suite.client.workflow.getHandle(run.workflowId, run.runId).describe();
    expect(described).toMatchObject({ type: 'multiServerWorkflow', taskQueue, status: { name: 'COMPLETED' } });
    const schedule = await describeSchedule(id);
    expect(schedule.info.numActionsTaken).toBe(1);
    expect(schedule.info.recentActions.map((a) => a.action.workflow.workflowId)).toEqual([run.workflowId]);

    // `schedule list` names the last run and its status, once visibility has caught up.
    type Listed = { scheduleId: string; recentActions: ScheduledRun[]; lastRunStatus: string | null };
    const deadline = Date.now() + 15_000;
    let mine: Listed | undefined;
    while (mine?.lastRunStatus !== 'Completed' && Date.now() < deadline) {
      expect(await scheduleVerb(ctx, 'list')).toBe(EXIT.completed);
      mine = ctx.lastOut<Listed[]>().find((s) => s.scheduleId === id);
      if (mine?.lastRunStatus !== 'Completed') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(mine?.lastRunStatus).toBe('Completed');
    expect(mine?.recentActions.map((r) => r.workflowId)).toEqual([run.workflowId]);
    expect(ctx.lines.some((line) => line.startsWith(id) && line.endsWith(`${run.workflowId} (Completed)`))).toBe(true);
  });

  test('creates with the decided policies: one interval, SKIP on overlap, a catch-up window of one interval, no pause on failure', async () => {
    const taskQueue = uniqueTaskQueue('schedule');
    const ctx = recordingContext(suite.client, taskQueue);
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '90m')).toBe(EXIT.completed);
    const d = await describeSchedule(id);
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([90 * 60_000]);
    expect(d.policies).toEqual({ overlap: 'SKIP', catchupWindow: 90 * 60_000, pauseOnFailure: false });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'multiServerWorkflow', taskQueue, workflowId: `multi-server-${id}` });
    expect(d.action.args).toEqual([{ data: 'Hello from the Temporal multi-server demo' }]);
    expect(d.state.paused).toBe(false);
    // The next ticks are on the 90-minute grid Temporal counts from the epoch.
    expect(d.info.nextActionTimes.length).toBeGreaterThan(0);
    for (const next of d.info.nextActionTimes) expect(next.getTime() % (90 * 60_000)).toBe(0);
    expect(ctx.lines).toContain('  Overlap      SKIP: a tick that finds the previous run still going is skipped');
  });

  test('a manual trigger starts a run even while the previous one still runs (ALLOW_ALL), where a tick would skip', async () => {
    const held = gate('/process-internal');
    const a = await suite.track(startServerA({ before: held.middleware }));
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('schedule');
    const ctx = recordingContext(suite.client, taskQueue);
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '24h')).toBe(EXIT.completed);

    await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      expect(await scheduleVerb(ctx, 'trigger', id)).toBe(EXIT.completed);
      const first = ctx.lastOut<{ run: ScheduledRun }>().run;
      await held.arrived;
      // A run's id carries the second it was started in: a second trigger in the same second would reuse it.
      await untilNextSecond();
      expect(await scheduleVerb(ctx, 'trigger', id)).toBe(EXIT.completed);
      const second = ctx.lastOut<{ run: ScheduledRun | null }>().run;
      expect(second, 'the second trigger started no run').not.toBeNull();
      expect(second!.workflowId).not.toBe(first.workflowId);
      // Both at once: the first is still held at process-internal while the second has started.
      for (const run of [first, second!]) {
        expect((await suite.client.workflow.getHandle(run.workflowId, run.runId).describe()).status.name, run.workflowId).toBe('RUNNING');
      }
      held.release();
      for (const run of [first, second!]) await suite.client.workflow.getHandle(run.workflowId, run.runId).result();
    });
    expect(SCHEDULE_POLICY.triggerOverlap).toBe('ALLOW_ALL');
  });

  test('pause and unpause show in describe with their notes, and in the JSON', async () => {
    const ctx = recordingContext(suite.client, uniqueTaskQueue('schedule'));
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '1h')).toBe(EXIT.completed);

    expect(await scheduleVerb(ctx, 'pause', id, '--note', 'Server B maintenance')).toBe(EXIT.completed);
    expect(ctx.lastOut()).toEqual({ scheduleId: id, paused: true, wasPaused: false, note: 'Server B maintenance' });
    expect((await describeSchedule(id)).state).toMatchObject({ paused: true, note: 'Server B maintenance' });

    expect(await scheduleVerb(ctx, 'pause', id)).toBe(EXIT.completed);
    expect(ctx.lines.at(-1)).toBe(`Paused schedule ${id} (it already was paused). Note: paused with temporal/client.ts`);

    expect(await scheduleVerb(ctx, 'unpause', id)).toBe(EXIT.completed);
    expect(ctx.lastOut()).toEqual({ scheduleId: id, paused: false, wasPaused: true, note: 'unpaused with temporal/client.ts' });
    expect((await describeSchedule(id)).state).toMatchObject({ paused: false, note: 'unpaused with temporal/client.ts' });
  });

  test('list shows the schedule, its state, interval and next run, once visibility has it', async () => {
    const ctx = recordingContext(suite.client, uniqueTaskQueue('schedule'));
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '2h')).toBe(EXIT.completed);
    expect(await scheduleVerb(ctx, 'pause', id, '--note', 'quiet hours')).toBe(EXIT.completed);

    // Schedules are listed from visibility, which lags: ask until it shows the paused state.
    type Listed = { scheduleId: string; paused: boolean; everyMs: number[]; workflowType: string; note?: string };
    const deadline = Date.now() + 15_000;
    let mine: Listed | undefined;
    while (!(mine?.paused === true && mine.note) && Date.now() < deadline) {
      expect(await scheduleVerb(ctx, 'list')).toBe(EXIT.completed);
      mine = ctx.lastOut<Listed[]>().find((s) => s.scheduleId === id);
      if (!mine?.paused) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(mine).toMatchObject({ scheduleId: id, paused: true, everyMs: [7_200_000], workflowType: 'multiServerWorkflow', note: 'quiet hours' });
    expect(ctx.lines.some((line) => new RegExp(`^${id}\\s+paused\\s+2h\\s+-\\s+-$`).test(line))).toBe(true);
    expect(ctx.lines).toContain(`${id} is paused: quiet hours`);
  });

  test('delete: describe then finds nothing, and pause, trigger or delete of it exit 1 naming it', async () => {
    const ctx = recordingContext(suite.client, uniqueTaskQueue('schedule'));
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '1h')).toBe(EXIT.completed);
    expect(await scheduleVerb(ctx, 'delete', id)).toBe(EXIT.completed);
    expect(ctx.lastOut()).toEqual({ scheduleId: id, deleted: true });
    await expect(describeSchedule(id)).rejects.toBeInstanceOf(ScheduleNotFoundError);

    for (const action of ['pause', 'unpause', 'trigger', 'delete'] as const) {
      ctx.errors.length = 0;
      expect(await scheduleVerb(ctx, action, id), action).toBe(EXIT.failed);
      expect(ctx.errors.join(''), action).toContain(`There is no schedule "${id}" in namespace "${ctx.config.temporal.namespace}"`);
      expect(ctx.lastOut(), action).toMatchObject({ error: { kind: 'ScheduleNotFound' } });
    }
  });

  test('a second create with the same id is refused (exit 1) and leaves the first schedule as it was', async () => {
    const ctx = recordingContext(suite.client, uniqueTaskQueue('schedule'));
    const id = scheduleId();
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '1h', '--data', 'first')).toBe(EXIT.completed);
    expect(await scheduleVerb(ctx, 'create', '--id', id, '--every', '5m', '--data', 'second')).toBe(EXIT.failed);
    expect(ctx.errors.join('')).toContain(`A schedule "${id}" already exists; it was left as it is.`);
    expect(ctx.lastOut()).toMatchObject({ error: { kind: 'ScheduleAlreadyExists' } });
    const d = await describeSchedule(id);
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(d.action.args).toEqual([{ data: 'first' }]);
  });
});

/** Resolves once the wall clock has entered the next second. */
async function untilNextSecond(): Promise<void> {
  const second = Math.floor(Date.now() / 1_000);
  while (Math.floor(Date.now() / 1_000) === second) await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
}
