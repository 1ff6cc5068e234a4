// What the server says about a run's activity in flight (its attempt, when it started, its last heartbeat),
// read from describe(): state the tests wait on instead of sleeping, in the server's own clock.
import type { WorkflowHandle } from '@temporalio/client';
import type { google } from '@temporalio/proto';

export interface PendingActivity {
  attempt: number;
  startedAtMs: number | null;
  lastHeartbeatAtMs: number | null;
}

const millis = (t: google.protobuf.ITimestamp | null | undefined): number | null =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : null;

/** The pending activity of that type, or undefined when none is pending. */
export async function pendingActivity(handle: WorkflowHandle, type: string): Promise<PendingActivity | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === type);
  if (!pending) return undefined;
  return { attempt: pending.attempt ?? 0, startedAtMs: millis(pending.lastStartedTime), lastHeartbeatAtMs: millis(pending.lastHeartbeatTime) };
}
