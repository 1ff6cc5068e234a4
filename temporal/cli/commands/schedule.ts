// The `schedule` verb: create, list, pause, unpause, trigger and delete the Temporal Schedules that run the
// multi-server workflow every N minutes (temporal/schedules.ts holds the policies and their reasons).
// A schedule that does not exist, or already does, is a refused request (exit 1); a bad id or interval
// is a usage error (exit 2).
import { ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import {
  catchupWindowMs,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  formatInterval,
  listSchedules,
  parseInterval,
  SCHEDULE_POLICY,
  type ScheduledRun,
  scheduledWorkflowIdPrefix,
  scheduleIdIssue,
  type ScheduleView,
  setPaused,
  triggerSchedule,
} from '../../schedules.ts';
import { SAMPLE_DATA, type ScheduleAction } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { webUiLinkFor } from '../web-ui.ts';
import { statusWord } from './list.ts';

export interface ScheduleOptions {
  /** The schedule (every action but list). */
  id?: string | undefined;
  /** How often (create): 1m to 24h, such as 5m. */
  every?: string | undefined;
  /** The data each run processes (create). */
  data?: string | undefined;
  /** Why (pause, unpause); shown by `schedule list` and the Web UI. */
  note?: string | undefined;
}

const CLIENT = 'npx node temporal/client.ts';

/** "2026-12-01T23:05:00Z": to the second, as schedules work. */
export function timeText(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function scheduleCommand(ctx: CommandContext, action: ScheduleAction, options: ScheduleOptions): Promise<ExitCode> {
  if (action !== 'list') {
    const id = options.id;
    if (id === undefined || id === '') return refuse(ctx, EXIT.usage, 'usage', `schedule ${action} needs the schedule's id`);
    // Only ids this client creates are held to its pattern: one made elsewhere (Temporal's CLI, the Web UI) can still be managed.
    const issue = action === 'create' ? scheduleIdIssue(id) : undefined;
    if (issue) return refuse(ctx, EXIT.usage, 'usage', `The schedule id ${issue}`);
  }
  try {
    switch (action) {
      case 'create':
        return await create(ctx, options.id!, options);
      case 'list':
        return await list(ctx);
      case 'pause':
      case 'unpause':
        return await pauseOrUnpause(ctx, options.id!, action === 'pause', options.note);
      case 'trigger':
        return await trigger(ctx, options.id!);
      case 'delete':
        await deleteSchedule(ctx.client, options.id!);
        ctx.say(`Deleted schedule ${options.id}. Runs it already started are not affected.`);
        if (ctx.json) ctx.out({ scheduleId: options.id, deleted: true });
        return EXIT.completed;
    }
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      return refuse(
        ctx,
        EXIT.failed,
        'ScheduleNotFound',
        `There is no schedule "${options.id}" in namespace "${ctx.config.temporal.namespace}": see "${CLIENT} schedule list".`,
      );
    }
    if (error instanceof ScheduleAlreadyRunning) {
      return refuse(
        ctx,
        EXIT.failed,
        'ScheduleAlreadyExists',
        `A schedule "${options.id}" already exists; it was left as it is. Delete it first ("${CLIENT} schedule delete ${options.id}") or pick another id.`,
      );
    }
    if (error instanceof NamespaceNotFoundError) {
      return refuse(
        ctx,
        EXIT.usage,
        'NamespaceNotFound',
        `Namespace "${ctx.config.temporal.namespace}" does not exist on ${ctx.config.temporal.address}: check TEMPORAL_NAMESPACE.`,
      );
    }
    return refuse(ctx, EXIT.couldNotStart, 'TemporalError', `Could not ${action} the schedule: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Says why the request is refused (stderr), and with --json prints it as `{ error }` on stdout too. */
function refuse(ctx: CommandContext, code: ExitCode, kind: string, message: string): ExitCode {
  process.stderr.write(`${message}\n`);
  if (ctx.json) ctx.out({ error: { kind, message } });
  return code;
}

async function create(ctx: CommandContext, scheduleId: string, options: ScheduleOptions): Promise<ExitCode> {
  if (options.every === undefined) return refuse(ctx, EXIT.usage, 'usage', 'schedule create needs --every TIME, such as 5m');
  const interval = parseInterval(options.every);
  if ('issue' in interval) return refuse(ctx, EXIT.usage, 'usage', `--every ${interval.issue}`);
  const { taskQueue } = ctx.config.temporal;
  const data = options.data ?? SAMPLE_DATA;
  await createSchedule(ctx.client, { scheduleId, everyMs: interval.ms, data, taskQueue });
  const every = formatInterval(interval.ms);
  const catchup = formatInterval(catchupWindowMs(interval.ms));
  const { nextActionTimes } = await describeSchedule(ctx.client, scheduleId);
  const { say } = ctx;
  say(`Created schedule ${scheduleId}: multiServerWorkflow every ${every} on task queue "${taskQueue}"`);
  say(`  Data         ${JSON.stringify(data)}`);
  say(`  Runs         ${scheduledWorkflowIdPrefix(scheduleId)}-<time of the tick>`);
  say(`  Overlap      ${SCHEDULE_POLICY.overlap}: a tick that finds the previous run still going is skipped`);
  say(`  Catch-up     ${catchup}: after Temporal itself was down, only a tick missed by less than that still runs`);
  say(`  On failure   the schedule keeps going; the next tick tries again`);
  say(`  Next runs    ${nextActionTimes.slice(0, 3).map(timeText).join(', ') || '(none)'}`);
  say(`Run one now with: ${CLIENT} schedule trigger ${scheduleId}`);
  if (ctx.json) {
    ctx.out({
      scheduleId,
      workflowType: 'multiServerWorkflow',
      taskQueue,
      data,
      every,
      everyMs: interval.ms,
      workflowIdPrefix: scheduledWorkflowIdPrefix(scheduleId),
      overlap: SCHEDULE_POLICY.overlap,
      catchupWindowMs: catchupWindowMs(interval.ms),
      pauseOnFailure: SCHEDULE_POLICY.pauseOnFailure,
      nextActionTimes,
    });
  }
  return EXIT.completed;
}

/** The status of a schedule's last run, in the visibility query's words ("Completed"); undefined if it could not be read. */
async function lastRunStatus(ctx: CommandContext, view: ScheduleView): Promise<string | undefined> {
  const last = view.recentActions.at(-1);
  if (!last) return undefined;
  try {
    const { status } = await ctx.client.workflow.getHandle(last.workflowId, last.runId).describe();
    return statusWord(status.name);
  } catch {
    return undefined;
  }
}

export interface ScheduleRow {
  scheduleId: string;
  state: 'paused' | 'running';
  every: string;
  nextRun: string;
  lastRun: string;
}

/** The table `schedule list` prints, one line per schedule under a header. */
export function scheduleTable(rows: ScheduleRow[]): string[] {
  const header: ScheduleRow = { scheduleId: 'SCHEDULE', state: 'STATE' as ScheduleRow['state'], every: 'EVERY', nextRun: 'NEXT RUN', lastRun: 'LAST RUN' };
  const all = [header, ...rows];
  const width = (key: keyof ScheduleRow) => Math.max(...all.map((r) => r[key].length));
  const keys: Array<keyof ScheduleRow> = ['scheduleId', 'state', 'every', 'nextRun', 'lastRun'];
  return all.map((r) =>
    keys
      .map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(width(k))))
      .join('  ')
      .trimEnd(),
  );
}

async function list(ctx: CommandContext): Promise<ExitCode> {
  const views = await listSchedules(ctx.client);
  const statuses = await Promise.all(views.map((v) => lastRunStatus(ctx, v)));
  if (views.length === 0) {
    ctx.say(`No schedules in namespace "${ctx.config.temporal.namespace}". Create one with: ${CLIENT} schedule create --id every-5m --every 5m`);
  } else {
    const rows = views.map((v, i): ScheduleRow => {
      const last = v.recentActions.at(-1);
      return {
        scheduleId: v.scheduleId,
        state: v.paused ? 'paused' : 'running',
        every: v.everyMs.map(formatInterval).join(', ') || '-',
        nextRun: v.paused ? '-' : ((v.nextActionTimes[0] && timeText(v.nextActionTimes[0])) ?? '-'),
        lastRun: last ? `${last.workflowId} (${statuses[i] ?? 'status unknown'})` : '-',
      };
    });
    for (const line of scheduleTable(rows)) ctx.say(line);
    for (const v of views) if (v.paused && v.note) ctx.say(`${v.scheduleId} is paused: ${v.note}`);
    ctx.say("(Schedules are listed from Temporal's visibility store: one created or changed a moment ago may show a second later.)");
  }
  if (ctx.json) ctx.out(views.map((v, i) => ({ ...v, lastRunStatus: statuses[i] ?? null })));
  return EXIT.completed;
}

async function pauseOrUnpause(ctx: CommandContext, scheduleId: string, pause: boolean, note: string | undefined): Promise<ExitCode> {
  const why = note ?? `${pause ? 'paused' : 'unpaused'} with temporal/client.ts`;
  const { wasPaused } = await setPaused(ctx.client, scheduleId, pause, why);
  const verb = pause ? 'Paused' : 'Unpaused';
  const already = wasPaused === pause ? ` (it already was ${pause ? 'paused' : 'running'})` : '';
  ctx.say(`${verb} schedule ${scheduleId}${already}. Note: ${why}`);
  if (!pause) ctx.say('Missed ticks are not made up for: the next run is at the next tick.');
  if (ctx.json) ctx.out({ scheduleId, paused: pause, wasPaused, note: why });
  return EXIT.completed;
}

async function trigger(ctx: CommandContext, scheduleId: string): Promise<ExitCode> {
  const run: ScheduledRun | undefined = await triggerSchedule(ctx.client, scheduleId);
  const { say } = ctx;
  if (!run) {
    say(`Triggered schedule ${scheduleId}; its run has not shown yet. See "${CLIENT} schedule list" in a moment.`);
    if (ctx.json) ctx.out({ scheduleId, triggered: true, run: null });
    return EXIT.completed;
  }
  const { address, namespace, uiUrl } = ctx.config.temporal;
  say(`Triggered schedule ${scheduleId}: started multiServerWorkflow now (overlap ${SCHEDULE_POLICY.triggerOverlap} for a manual run)`);
  say(`  Workflow ID  ${run.workflowId}`);
  say(`  Run ID       ${run.runId}`);
  say(`  Web UI       ${await webUiLinkFor(address, uiUrl, namespace, run.workflowId, run.runId)}`);
  say(`Follow it with: ${CLIENT} status ${run.workflowId}`);
  if (ctx.json) ctx.out({ scheduleId, triggered: true, run });
  return EXIT.completed;
}
