// The client's reads of a running workflow's queries: once, or polled while it waits for the result. A
// query needs a worker to answer; without one it would wait, so every ask gets a deadline, and an ask
// that gets no answer (no worker yet, the run just closed) is left out: the run's outcome tells the rest.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { type Progress, progressQuery } from '../workflows/steps.ts';

const QUERY_DEADLINE_MS = 2_000;

/** The query's answer, or null when none came in time. */
export async function askQuery<T>(connection: Connection, handle: WorkflowHandle, query: QueryDefinition<T>): Promise<T | null> {
  try {
    return await connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(query));
  } catch {
    return null;
  }
}

/** A run's own record of its steps and compensations; null when it cannot say (no worker, say). */
export function finalProgress(connection: Connection, handle: WorkflowHandle): Promise<Progress | null> {
  return askQuery(connection, handle, progressQuery);
}

/** Asks `query` every `everyMs` and hands each answer to `onAnswer`, until `stop()`. */
export function pollQuery<T>(
  connection: Connection,
  handle: WorkflowHandle,
  query: QueryDefinition<T>,
  everyMs: number,
  onAnswer: (answer: T) => void,
): { stop: () => Promise<void> } {
  let polling = true;
  const loop = (async () => {
    while (polling) {
      const answer = await askQuery(connection, handle, query);
      if (answer !== null && polling) onAnswer(answer);
      if (polling) await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      polling = false;
      await loop;
    },
  };
}
