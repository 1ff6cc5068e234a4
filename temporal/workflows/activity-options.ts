// The one policy module: the timeouts and retry policy of every activity call, each with its reason. The
// outage rule (interceptors.ts) completes them per run. Plain values, so the activities share them.
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/common';
import { FailureType } from '../failure-types.ts';

/** First retry after 1 s: most failures of a nearby service are blips. */
const INITIAL_INTERVAL_MS = 1_000;
/** Double the wait each time, so a struggling service is not hammered... */
const BACKOFF_COEFFICIENT = 2;
/** ...but never wait more than 10 s, so a service that is back is picked up quickly. */
export const MAXIMUM_INTERVAL_MS = 10_000;

/** Calls heartbeat every second while they wait: this much silence means the worker died. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

/** The wait the policy puts after attempt `attempt` (1-based) fails. */
export function backoffAfter(attempt: number): number {
  return Math.min(INITIAL_INTERVAL_MS * BACKOFF_COEFFICIENT ** (attempt - 1), MAXIMUM_INTERVAL_MS);
}

/** The fewest attempts whose last starts at least `outageMs` after the first. Attempts, not a schedule-to-close
 *  deadline, so time spent with no worker running is not counted against the outage limit. */
export function attemptsToRideOut(outageMs: number): number {
  let attempts = 1;
  for (let waited = 0; waited < outageMs; attempts++) waited += backoffAfter(attempts);
  return attempts;
}

const BACKOFF = { initialInterval: INITIAL_INTERVAL_MS, backoffCoefficient: BACKOFF_COEFFICIENT, maximumInterval: MAXIMUM_INTERVAL_MS };

/** What every call to Server A or Server B shares. */
const CALL = {
  // No maximumAttempts here: the outage rule sets it from the run's outage limit (interceptors.ts).
  retry: BACKOFF,
  // A cancelled run waits until the running call has really been aborted, so it is never reported cancelled
  // while its HTTP request is still in flight.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} satisfies ActivityOptions;

/** A ping has a 2 s HTTP timeout; 5 s leaves the activity room to report it. No heartbeat timeout: a ping
 *  that cannot outlive one has start-to-close to notice a dead worker. */
export const HEALTH_CHECK = { ...CALL, startToCloseTimeout: '5s' } satisfies ActivityOptions;

/** A call to Server A or Server B: one HTTP request with an 8 s client timeout. */
export const SERVICE_CALL = {
  ...CALL,
  // 10 s leaves the activity room to report the HTTP timeout itself.
  startToCloseTimeout: '10s',
  // The attempt of a dead worker is retried elsewhere after 5 s of silence instead of the full 10 s.
  heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
} satisfies ActivityOptions;

/** Enrich has a fallback (multi-server.ts): an open circuit breaker for Server B reaches the workflow at once. */
export const ENRICH = { ...SERVICE_CALL, retry: { ...BACKOFF, nonRetryableErrorTypes: [FailureType.circuitOpen] } } satisfies ActivityOptions;

/** The simulated third party may take up to 20 s and gets a 25 s HTTP timeout. */
export const THIRD_PARTY = { ...SERVICE_CALL, startToCloseTimeout: '30s' } satisfies ActivityOptions;

/** An undo must not give up: it is retried with the same backoff until the service takes it. */
export const COMPENSATION = { ...SERVICE_CALL, retry: { ...BACKOFF, maximumAttempts: Number.POSITIVE_INFINITY } } satisfies ActivityOptions;
