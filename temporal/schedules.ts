// The multi-server workflow on a Temporal Schedule: its policies (each one's reason: docs/batches-schedules-adaptive.md) and setting checks.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { parseDuration } from './workflows/input.ts';
import { WORKFLOW_KINDS } from './workflows/kinds.ts';
import { staticSummary } from './run-kinds.ts';

/** Every bound and policy a schedule is created with. */
export const SCHEDULE_POLICY = {
  /** A run can take minutes while a service is down, so shorter ticks would mostly be skipped; past a day, a calendar says it better. */
  interval: { minMs: 60_000, maxMs: 24 * 3_600_000 },
  /** Every run processes the same data: a tick that finds the previous run going adds nothing the next will not. */
  overlap: ScheduleOverlapPolicy.SKIP,
  /** "Run now" means now, even beside a scheduled run (the SDK's default too, spelled out as a decision). */
  triggerOverlap: ScheduleOverlapPolicy.ALLOW_ALL,
  /** A failed run already rode out its outage limit; the next tick tries again, where a paused cron would wait for a person. */
  pauseOnFailure: false,
} as const;

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
  const s = Math.round(ms / 1_000);
  const parts = [`${Math.floor(s / 3_600)}h`, `${Math.floor((s % 3_600) / 60)}m`, `${s % 60}s`];
  return parts.filter((part) => !part.startsWith('0')).join('') || '0s';
}

/** Creates the schedule and returns its handle; throws ScheduleAlreadyRunning when one with this id exists. */
export function createSchedule(client: Client, settings: { scheduleId: string; everyMs: number; data: string; taskQueue: string }) {
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
      staticSummary: staticSummary('multi', { data }),
    },
    // A catch-up window of one interval: after a Temporal outage one missed tick runs, not one per tick (the SDK's default window is a year).
    policies: { overlap: SCHEDULE_POLICY.overlap, catchupWindow: everyMs, pauseOnFailure: SCHEDULE_POLICY.pauseOnFailure },
  });
}
