// The distributed cron: a Temporal Schedule that starts the multi-server workflow every N minutes. The
// schedule lives in the Temporal server, not in a process of ours: no worker, client or crontab has to
// be up at the tick for it to fire, and a run it starts is an ordinary durable run (retries, outages,
// history). `client.ts schedule …` (cli/commands/schedule.ts) is a thin layer over these functions.
import { type Client, type ScheduleDescription, type ScheduleExecutionResult, ScheduleOverlapPolicy, type ScheduleSummary } from '@temporalio/client';
import { parseDuration } from './workflows/input.ts';
import { WORKFLOW_KINDS } from './workflows/kinds.ts';

/**
 * Every bound and policy a schedule is created with, each with its reason (the README repeats them).
 */
export const SCHEDULE_POLICY = {
  /**
   * Between 1 minute and 24 hours, in whole seconds. Temporal would take seconds, but a run can take
   * minutes when a service is down (each step rides out the outage limit, 2 minutes by default), so a
   * shorter interval would mostly produce skipped ticks and fill the run list; beyond a day, a calendar
   * at a set hour says better what is meant than an interval counted from the epoch.
   */
  interval: { minMs: 60_000, maxMs: 24 * 3_600_000 },
  /**
   * SKIP: every run processes the same data, so a tick that finds the previous run still going (a slow
   * or down service) adds nothing the next tick will not do; buffering would fire runs back to back
   * once the outage ends, and ALLOW_ALL would pile them up on the same struggling service.
   */
  overlap: ScheduleOverlapPolicy.SKIP,
  /**
   * A person who asks to run now means now: a manual trigger starts a run even while a scheduled one is
   * still going (the multi-server workflow changes no state on the services, so two at once are
   * harmless). This is also the SDK's default for trigger; it is spelled out here to be a decision.
   */
  triggerOverlap: ScheduleOverlapPolicy.ALLOW_ALL,
  /**
   * No pause on failure: a failed run already rode out its outage limit, and the next tick tries again
   * once the service is back, where a paused cron would wait for someone to notice and unpause it. A
   * failure stays visible in `schedule list` (last run) and in the Web UI.
   */
  pauseOnFailure: false,
} as const;

/**
 * How late a missed tick (the Temporal server was down at the time) may still start: one interval. An
 * older tick is stale, the next one is due soon anyway; so after a long outage at most one run catches
 * up, not one per missed tick (the SDK's default window is a year).
 */
export function catchupWindowMs(everyMs: number): number {
  return everyMs;
}

/** The id every run a schedule starts begins with; Temporal appends the tick's time (`-2026-05-01T10:05:00Z`). */
export function scheduledWorkflowIdPrefix(scheduleId: string): string {
  return `${WORKFLOW_KINDS.multi.idPrefix}-${scheduleId}`;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Why `id` cannot name a schedule ("must be …"); undefined when it can. Kept to characters that read well in a workflow id and a URL. */
export function scheduleIdIssue(id: string): string | undefined {
  return ID_PATTERN.test(id) ? undefined : `must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit, got ${JSON.stringify(id)}`;
}

/** The interval in milliseconds, or why `text` is not one a schedule accepts ("must be …"). */
export function parseInterval(text: string): { ms: number } | { issue: string } {
  const ms = parseDuration(text);
  const { minMs, maxMs } = SCHEDULE_POLICY.interval;
  if (ms === undefined) return { issue: `must be a duration such as 5m or 1h, got ${JSON.stringify(text)}` };
  if (ms < minMs || ms > maxMs) return { issue: `must be from 1m to 24h, got ${JSON.stringify(text)}` };
  if (ms % 1_000 !== 0) return { issue: `must be whole seconds (Temporal rounds intervals to the second), got ${JSON.stringify(text)}` };
  return { ms };
}

/** 90_000 → "1m30s", 3_600_000 → "1h". */
export function formatInterval(ms: number): string {
  const total = Math.round(ms / 1_000);
  const parts: Array<[number, string]> = [
    [Math.floor(total / 3_600), 'h'],
    [Math.floor((total % 3_600) / 60), 'm'],
    [total % 60, 's'],
  ];
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, unit]) => `${n}${unit}`)
      .join('') || '0s'
  );
}

export interface ScheduleSettings {
  scheduleId: string;
  everyMs: number;
  /** The data every run processes. */
  data: string;
  taskQueue: string;
}

/** Creates the schedule; throws ScheduleAlreadyRunning when one with this id exists. */
export async function createSchedule(client: Client, settings: ScheduleSettings) {
  const { scheduleId, everyMs, data, taskQueue } = settings;
  return client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_KINDS.multi.workflow,
      taskQueue,
      workflowId: scheduledWorkflowIdPrefix(scheduleId),
      args: [{ data }],
    },
    policies: {
      overlap: SCHEDULE_POLICY.overlap,
      catchupWindow: catchupWindowMs(everyMs),
      pauseOnFailure: SCHEDULE_POLICY.pauseOnFailure,
    },
  });
}

/** One run a schedule started. */
export interface ScheduledRun {
  workflowId: string;
  runId: string;
  scheduledAt: Date;
  takenAt: Date;
}

/** What `schedule list` shows of a schedule. */
export interface ScheduleView {
  scheduleId: string;
  paused: boolean;
  note: string | undefined;
  workflowType: string | undefined;
  /** Each interval of the spec, in milliseconds (this project's schedules have one). */
  everyMs: number[];
  nextActionTimes: Date[];
  /** Oldest first, as Temporal keeps them (its last few). */
  recentActions: ScheduledRun[];
}

function runOf(result: ScheduleExecutionResult): ScheduledRun {
  const { workflowId, firstExecutionRunId } = result.action.workflow;
  return { workflowId, runId: firstExecutionRunId, scheduledAt: result.scheduledAt, takenAt: result.takenAt };
}

function viewOf(schedule: ScheduleSummary | ScheduleDescription): ScheduleView {
  return {
    scheduleId: schedule.scheduleId,
    paused: schedule.state.paused,
    note: schedule.state.note || undefined,
    workflowType: schedule.action?.workflowType,
    everyMs: (schedule.spec?.intervals ?? []).map((i) => i.every),
    nextActionTimes: schedule.info.nextActionTimes,
    recentActions: schedule.info.recentActions.map(runOf),
  };
}

/**
 * Every schedule of the namespace. Temporal lists them from its visibility store, which lags a little:
 * a schedule created or changed a moment ago may show late, or in its old state.
 */
export async function listSchedules(client: Client): Promise<ScheduleView[]> {
  const views: ScheduleView[] = [];
  for await (const summary of client.schedule.list()) views.push(viewOf(summary));
  return views.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

export interface ScheduleDetails extends ScheduleView {
  overlap: string;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  taskQueue: string | undefined;
  numActionsTaken: number;
  runningActions: string[];
}

/** One schedule, read directly (not from visibility, so always current); throws ScheduleNotFoundError. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleDetails> {
  const d = await client.schedule.getHandle(scheduleId).describe();
  return {
    ...viewOf(d),
    // Unspecified is the server's default, which is SKIP.
    overlap: d.policies.overlap ?? ScheduleOverlapPolicy.SKIP,
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    taskQueue: d.action.taskQueue,
    numActionsTaken: d.info.numActionsTaken,
    runningActions: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
}

/** Pauses (`paused` true) or unpauses the schedule, with a note saying why; returns whether it was paused before. */
export async function setPaused(client: Client, scheduleId: string, paused: boolean, note: string): Promise<{ wasPaused: boolean }> {
  const handle = client.schedule.getHandle(scheduleId);
  const { state } = await handle.describe();
  if (paused) await handle.pause(note);
  else await handle.unpause(note);
  return { wasPaused: state.paused };
}

/** How long `triggerSchedule` waits to see the run it asked for. */
const TRIGGER_WAIT_MS = 10_000;

/**
 * Starts a run now, whatever the interval (and even while the schedule is paused), under the trigger's
 * overlap policy. Resolves with the run once the schedule records it; undefined if it did not within
 * `waitMs` (the trigger was accepted, the run shows in `schedule list` when it starts).
 */
export async function triggerSchedule(client: Client, scheduleId: string, waitMs = TRIGGER_WAIT_MS): Promise<ScheduledRun | undefined> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.numActionsTaken;
  await handle.trigger(SCHEDULE_POLICY.triggerOverlap);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const { info } = await handle.describe();
    const last = info.recentActions.at(-1);
    if (info.numActionsTaken > before && last) return runOf(last);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** Deletes the schedule; runs it started go on. Throws ScheduleNotFoundError. */
export async function deleteSchedule(client: Client, scheduleId: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).delete();
}
