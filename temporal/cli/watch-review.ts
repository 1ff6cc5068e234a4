// While a publish run waits for a reviewer, tells the person at the terminal, once per change, what it
// waits for, until when, and the exact commands that decide it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, WorkflowHandle } from '@temporalio/client';
import { reviewQuery } from '../workflows/messages.ts';
import type { ReviewStatus } from '../workflows/types.ts';

const POLL_INTERVAL_MS = 500;
const QUERY_DEADLINE_MS = 2_000;

/** `after` says when the steps before the review have been shown, so the lines come in the run's order. */
export function watchReview(connection: Connection, handle: WorkflowHandle, say: (line?: string) => void, after: () => boolean): { stop: () => Promise<void> } {
  let running = true;
  let told: ReviewStatus['state'] | undefined;
  const loop = (async () => {
    while (running) {
      try {
        const review = await connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(reviewQuery));
        if (review.state !== told && (review.state === 'pending' || review.state === 'escalated') && after()) {
          told = review.state;
          for (const line of reviewWaitLines(handle.workflowId, review)) say(line);
        }
      } catch {
        // No worker yet, or the run closed: the outcome tells the rest.
      }
      if (running) await sleep(POLL_INTERVAL_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export function reviewWaitLines(workflowId: string, review: ReviewStatus): string[] {
  const client = 'npx node temporal/client.ts';
  return [
    review.state === 'escalated'
      ? `  ! Review escalated: still no decision. It expires (and the run is rejected) at ${review.deadline}.`
      : `  … Waiting for a review: ${review.reason}. Escalates at ${review.deadline} if nobody decides.`,
    `      approve: ${client} approve ${workflowId} --reviewer NAME [--comment TEXT]`,
    `      reject:  ${client} reject ${workflowId} --reviewer NAME --comment TEXT`,
  ];
}
