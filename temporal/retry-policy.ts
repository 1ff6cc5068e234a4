// The retry backoff every service call uses, and how many attempts ride out an outage of a given
// length. Shared by the workflows (which set the policy) and the activities (which must never ask for
// an earlier retry than this backoff, or a burst of short Retry-After answers would use up the attempts
// long before the outage limit). Plain constants and arithmetic, so workflow code may import it.

/** First retry after 1 s: most failures of a nearby service are blips. */
export const INITIAL_INTERVAL_MS = 1_000;
/** Double the wait each time, so a struggling service is not hammered... */
export const BACKOFF_COEFFICIENT = 2;
/** ...but never wait more than 10 s, so a service that is back is picked up quickly. */
export const MAXIMUM_INTERVAL_MS = 10_000;

/** The wait the policy puts after attempt `attempt` (1-based) fails. */
export function backoffAfter(attempt: number): number {
  return Math.min(INITIAL_INTERVAL_MS * BACKOFF_COEFFICIENT ** (attempt - 1), MAXIMUM_INTERVAL_MS);
}

/**
 * The fewest attempts whose last one starts at least `outageMs` after the first: with that many, a
 * service that is back within `outageMs` of the first failure is always reached. Counting attempts
 * (rather than a schedule-to-close deadline) keeps time spent with no worker running out of the budget.
 */
export function attemptsToRideOut(outageMs: number): number {
  let attempts = 1;
  let waited = 0;
  while (waited < outageMs) {
    waited += backoffAfter(attempts);
    attempts += 1;
  }
  return attempts;
}
