// The `schedule` verb: the Temporal Schedules that run the multi-server workflow every N minutes (their policies: temporal/schedules.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { ScheduleAlreadyRunning, type ScheduleExecutionResult, type ScheduleHandle, ScheduleNotFoundError, type ScheduleSummary } from '@temporalio/client';
import { statusWord, toSecond } from '../../runs/visibility.ts';
import { createSchedule, formatInterval, SCHEDULE_POLICY, scheduledWorkflowIdPrefix } from '../../schedules.ts';
import { CLIENT, EXIT, type ExitCode, type ScheduleCommand } from '../args.ts';
import { type CommandContext, refuse, temporalRefused } from '../context.ts';
import { sayWhere } from '../follow.ts';
import { table } from '../render.ts';

const TRIGGER_WAIT_MS = 10_000;

export async function scheduleCommand(ctx: CommandContext, command: ScheduleCommand): Promise<ExitCode> {
  const id = command.action === 'list' ? '' : command.id;
  try {
    switch (command.action) {
      case 'create':
        return await create(ctx, command.id, command.everyMs, command.data);
      case 'list':
        return await list(ctx);
      case 'pause':
      case 'unpause':
        return await pauseOrUnpause(ctx, id, command.action === 'pause', command.note);
      case 'trigger':
        return await trigger(ctx, id);
      case 'delete':
        await ctx.client.schedule.getHandle(id).delete();
        ctx.say(`Deleted schedule ${id}. Runs it already started are not affected.`);
        if (ctx.json) ctx.out({ scheduleId: id, deleted: true });
        return EXIT.completed;
    }
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      const { namespace } = ctx.config.temporal;
      return refuse(ctx, EXIT.failed, `There is no schedule "${id}" in namespace "${namespace}": see "${CLIENT} schedule list".`, 'ScheduleNotFound');
    }
    if (error instanceof ScheduleAlreadyRunning) {
      const message = `A schedule "${id}" already exists; it was left as it is. Delete it first ("${CLIENT} schedule delete ${id}") or pick another id.`;
      return refuse(ctx, EXIT.failed, message, 'ScheduleAlreadyExists');
    }
    return temporalRefused(ctx, error, `${command.action} the schedule`);
  }
}

async function create(ctx: CommandContext, scheduleId: string, everyMs: number, data: string): Promise<ExitCode> {
  const { taskQueue } = ctx.config.temporal;
  const handle = await createSchedule(ctx.client, { scheduleId, everyMs, data, taskQueue });
  const { overlap, pauseOnFailure } = SCHEDULE_POLICY;
  const created = {
    scheduleId,
    workflowType: 'multiServerWorkflow',
    taskQueue,
    data,
    every: formatInterval(everyMs),
    everyMs,
    workflowIdPrefix: scheduledWorkflowIdPrefix(scheduleId),
    overlap,
    catchupWindowMs: everyMs,
    pauseOnFailure,
    nextActionTimes: (await handle.describe()).info.nextActionTimes,
  };
  const { say } = ctx;
  say(`Created schedule ${scheduleId}: ${created.workflowType} every ${created.every} on task queue "${taskQueue}"`);
  say(`  Data         ${JSON.stringify(data)}`);
  say(`  Runs         ${created.workflowIdPrefix}-<time of the tick>`);
  say(`  Overlap      ${overlap}: a tick that finds the previous run still going is skipped`);
  say(`  Catch-up     ${formatInterval(created.catchupWindowMs)}: after Temporal itself was down, only a tick missed by less than that still runs`);
  say(`  On failure   the schedule keeps going; the next tick tries again`);
  say(`  Next runs    ${created.nextActionTimes.slice(0, 3).map(toSecond).join(', ') || '(none)'}`);
  say(`Run one now with: ${CLIENT} schedule trigger ${scheduleId}`);
  if (ctx.json) ctx.out(created);
  return EXIT.completed;
}

export type ScheduledRun = ReturnType<typeof runOf>;

function runOf(result: ScheduleExecutionResult) {
  const { workflowId, firstExecutionRunId } = result.action.workflow;
  return { workflowId, runId: firstExecutionRunId, scheduledAt: result.scheduledAt, takenAt: result.takenAt };
}

/** What `schedule list` shows of a schedule, and prints with --json. */
async function viewOf(ctx: CommandContext, schedule: ScheduleSummary) {
  /** Oldest first, as Temporal keeps them (its last few). */
  const recentActions = schedule.info.recentActions.map(runOf);
  const last = recentActions.at(-1);
  const lastRun = last && ctx.client.workflow.getHandle(last.workflowId, last.runId);
  const described = await lastRun?.describe().catch(() => undefined);
  return {
    scheduleId: schedule.scheduleId,
    paused: schedule.state.paused,
    note: schedule.state.note || undefined,
    workflowType: schedule.action?.workflowType,
    everyMs: (schedule.spec?.intervals ?? []).map((i) => i.every),
    nextActionTimes: schedule.info.nextActionTimes,
    recentActions,
    /** In the visibility query's words ("Completed"); null if it could not be read. */
    lastRunStatus: described ? statusWord(described.status.name) : null,
  };
}

async function list(ctx: CommandContext): Promise<ExitCode> {
  // Listed from Temporal's visibility store, which lags a little behind a create or a change.
  const viewing: Array<ReturnType<typeof viewOf>> = [];
  for await (const summary of ctx.client.schedule.list()) viewing.push(viewOf(ctx, summary));
  const views = await Promise.all(viewing);
  views.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  if (views.length === 0) {
    ctx.say(`No schedules in namespace "${ctx.config.temporal.namespace}". Create one with: ${CLIENT} schedule create --id every-5m --every 5m`);
  } else {
    const rows = views.map((v) => {
      const last = v.recentActions.at(-1);
      const next = v.nextActionTimes[0];
      return [
        v.scheduleId,
        v.paused ? 'paused' : 'running',
        v.everyMs.map(formatInterval).join(', ') || '-',
        !v.paused && next ? toSecond(next) : '-',
        last ? `${last.workflowId} (${v.lastRunStatus ?? 'status unknown'})` : '-',
      ];
    });
    for (const line of table([['SCHEDULE', 'STATE', 'EVERY', 'NEXT RUN', 'LAST RUN'], ...rows])) ctx.say(line);
    for (const v of views) if (v.paused && v.note) ctx.say(`${v.scheduleId} is paused: ${v.note}`);
    ctx.say("(Schedules are listed from Temporal's visibility store: one created or changed a moment ago may show a second later.)");
  }
  if (ctx.json) ctx.out(views);
  return EXIT.completed;
}

async function pauseOrUnpause(ctx: CommandContext, scheduleId: string, pause: boolean, note: string | undefined): Promise<ExitCode> {
  const why = note ?? `${pause ? 'paused' : 'unpaused'} with temporal/client.ts`;
  const handle = ctx.client.schedule.getHandle(scheduleId);
  const wasPaused = (await handle.describe()).state.paused;
  await (pause ? handle.pause(why) : handle.unpause(why));
  const already = wasPaused === pause ? ` (it already was ${pause ? 'paused' : 'running'})` : '';
  ctx.say(`${pause ? 'Paused' : 'Unpaused'} schedule ${scheduleId}${already}. Note: ${why}`);
  if (!pause) ctx.say('Missed ticks are not made up for: the next run is at the next tick.');
  if (ctx.json) ctx.out({ scheduleId, paused: pause, wasPaused, note: why });
  return EXIT.completed;
}

/** Starts a run now, whatever the interval (and even while the schedule is paused), under the trigger's overlap policy. */
async function trigger(ctx: CommandContext, scheduleId: string): Promise<ExitCode> {
  const handle = ctx.client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.numActionsTaken;
  await handle.trigger(SCHEDULE_POLICY.triggerOverlap);
  const run = await startedRun(handle, before);
  const { say } = ctx;
  if (run) {
    say(`Triggered schedule ${scheduleId}: started multiServerWorkflow now (overlap ${SCHEDULE_POLICY.triggerOverlap} for a manual run)`);
    await sayWhere(ctx, run.workflowId, run.runId);
    say(`Follow it with: ${CLIENT} status ${run.workflowId}`);
  } else say(`Triggered schedule ${scheduleId}; its run has not shown yet. See "${CLIENT} schedule list" in a moment.`);
  if (ctx.json) ctx.out({ scheduleId, triggered: true, run });
  return EXIT.completed;
}

/** The run a trigger started, once the schedule records it; null if it has not within TRIGGER_WAIT_MS. */
async function startedRun(handle: ScheduleHandle, actionsBefore: number): Promise<ScheduledRun | null> {
  const deadline = Date.now() + TRIGGER_WAIT_MS;
  while (Date.now() < deadline) {
    const { info } = await handle.describe();
    const last = info.recentActions.at(-1);
    if (info.numActionsTaken > actionsBefore && last) return runOf(last);
    await sleep(200);
  }
  return null;
}
