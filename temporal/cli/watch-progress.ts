// Shows steps as they complete by polling the workflow's `progress` query until the result is in.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, WorkflowHandle } from '@temporalio/client';
import { progressQuery } from '../workflows/messages.ts';
import type { Progress, StepName } from '../workflows/types.ts';

const POLL_INTERVAL_MS = 250;
/** A query needs a worker to answer; without one it would wait, so each poll gets a deadline. */
const QUERY_DEADLINE_MS = 2_000;

export interface ProgressWatcher {
  /** Steps already reported, so the final summary prints only the rest. */
  shown: Set<StepName>;
  stop: () => Promise<void>;
}

export function watchProgress(connection: Connection, handle: WorkflowHandle, onStep: (step: StepName, durationMs: number | null) => void): ProgressWatcher {
  const shown = new Set<StepName>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const progress = await queryProgress(connection, handle);
        for (const step of progress.steps) {
          if (step.status === 'completed' && !shown.has(step.step)) {
            shown.add(step.step);
            onStep(step.step, step.durationMs);
          }
        }
      } catch {
        // No worker yet, or the workflow just closed: the result (or its failure) tells the rest.
      }
      if (running) await sleep(POLL_INTERVAL_MS);
    }
  })();
  return {
    shown,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

function queryProgress(connection: Connection, handle: WorkflowHandle): Promise<Progress> {
  return connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(progressQuery));
}

/** A closed run's own record of its steps and compensations; null when it cannot say (no worker, say). */
export async function finalProgress(connection: Connection, handle: WorkflowHandle): Promise<Progress | null> {
  try {
    return await queryProgress(connection, handle);
  } catch {
    return null;
  }
}

/** The step a run stopped at (failed or cancelled), by its progress. */
export function stoppedStep(progress: Progress | null): StepName | null {
  return progress?.steps.find((s) => s.status === 'failed' || s.status === 'cancelled')?.step ?? null;
}
