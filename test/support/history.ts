// Reading a run's event history: what the tests assert on, instead of wall-clock windows.
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal as proto } from '@temporalio/proto';

export type HistoryEvent = proto.api.history.v1.IHistoryEvent;

export async function eventsOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

export function eventTime(event: HistoryEvent): number {
  const t = event.eventTime!;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export interface ActivityRecord {
  type: string;
  input: unknown;
  /** The task queue it was scheduled on: the queue of the service it calls. */
  taskQueue: string;
  scheduledEventId: number;
  /** Attempt of the last start (the history keeps only the last attempt's start). */
  attempt: number | null;
  /** Identity of the worker that ran the last attempt. */
  startedBy: string | null;
  outcome: 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'pending';
}

/** Every activity the run scheduled, in order, with its input and outcome. */
export function activitiesOf(events: HistoryEvent[]): ActivityRecord[] {
  const byId = new Map<number, ActivityRecord>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const payload = scheduled.input?.payloads?.[0];
      byId.set(Number(event.eventId), {
        type: scheduled.activityType?.name ?? '',
        input: payload ? defaultPayloadConverter.fromPayload(payload) : undefined,
        taskQueue: scheduled.taskQueue?.name ?? '',
        scheduledEventId: Number(event.eventId),
        attempt: null,
        startedBy: null,
        outcome: 'pending',
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const record = byId.get(Number(started.scheduledEventId));
      if (record) {
        record.attempt = started.attempt ?? null;
        record.startedBy = started.identity ?? null;
      }
    }
    const closed: Array<[unknown, ActivityRecord['outcome']]> = [
      [event.activityTaskCompletedEventAttributes, 'completed'],
      [event.activityTaskFailedEventAttributes, 'failed'],
      [event.activityTaskTimedOutEventAttributes, 'timed_out'],
      [event.activityTaskCanceledEventAttributes, 'cancelled'],
    ];
    for (const [attributes, outcome] of closed) {
      const id = (attributes as { scheduledEventId?: unknown } | null | undefined)?.scheduledEventId;
      if (id !== undefined && id !== null) byId.get(Number(id))!.outcome = outcome;
    }
  }
  return [...byId.values()];
}

export function countEvents(events: HistoryEvent[], attribute: keyof HistoryEvent): number {
  return events.filter((e) => e[attribute]).length;
}

/** Identities of the workers that completed each workflow task, in order. */
export function workflowTaskWorkers(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => (e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.identity ?? ''] : []));
}

/** By the server's own clock (ms): when an activity was scheduled, when its last attempt started, when it closed. */
export function activityTimes(events: HistoryEvent[], scheduledEventId: number): { scheduled: number; lastStarted: number | null; closed: number | null } {
  const of = (e: HistoryEvent) =>
    e.activityTaskStartedEventAttributes ??
    e.activityTaskCompletedEventAttributes ??
    e.activityTaskFailedEventAttributes ??
    e.activityTaskTimedOutEventAttributes ??
    e.activityTaskCanceledEventAttributes;
  const mine = events.filter((e) => Number(of(e)?.scheduledEventId) === scheduledEventId);
  const started = mine.find((e) => e.activityTaskStartedEventAttributes);
  const closed = mine.find((e) => !e.activityTaskStartedEventAttributes);
  return {
    scheduled: eventTime(events.find((e) => Number(e.eventId) === scheduledEventId)!),
    lastStarted: started ? eventTime(started) : null,
    closed: closed ? eventTime(closed) : null,
  };
}
