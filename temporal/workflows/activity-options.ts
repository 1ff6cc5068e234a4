// Timeouts and retry policies of every activity, each with the reason for its value. One rule for
// outages holds at every step: a service that is down or failing is retried with the backoff of
// retry-policy.ts until the run's outage limit has passed (default 2 minutes), then the step fails
// with a ServiceUnavailable failure naming the service (see outage.ts).
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import { attemptsToRideOut, BACKOFF_COEFFICIENT, INITIAL_INTERVAL_MS, MAXIMUM_INTERVAL_MS } from '../retry-policy.ts';

/** Calls heartbeat every second while they wait: this much silence means the worker died. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

export function activityOptions(outageLimitMs: number) {
  const retry = {
    initialInterval: INITIAL_INTERVAL_MS,
    backoffCoefficient: BACKOFF_COEFFICIENT,
    maximumInterval: MAXIMUM_INTERVAL_MS,
    // Enough attempts that the last starts at least the outage limit after the first; attempts only
    // count while a worker runs them, so a stopped worker does not eat into the limit.
    maximumAttempts: attemptsToRideOut(outageLimitMs),
  };
  const common = {
    retry,
    // The attempt of a dead worker is retried elsewhere without waiting for start-to-close. (A ping's
    // start-to-close is as short, so there it only keeps the options uniform.)
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    // Cancelling a run waits until the running call has really been aborted, so a run is never
    // reported cancelled while its HTTP request is still in flight.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  } satisfies ActivityOptions;
  return {
    health: {
      ...common,
      // A ping has a 2 s HTTP timeout; 5 s leaves the activity room to report it.
      startToCloseTimeout: '5s',
    },
    serverA: {
      ...common,
      // One HTTP call with an 8 s client timeout; 10 s leaves the activity room to report it.
      startToCloseTimeout: '10s',
    },
    serverB: {
      ...common,
      startToCloseTimeout: '10s',
    },
    compensation: {
      ...common,
      startToCloseTimeout: '10s',
      // An undo must not give up: it is retried, with the same backoff, until the service takes it
      // (no maximumAttempts: unlimited).
      retry: { initialInterval: retry.initialInterval, backoffCoefficient: retry.backoffCoefficient, maximumInterval: retry.maximumInterval },
    },
    thirdParty: {
      ...common,
      // The simulated third party may take up to 20 s and gets a 25 s HTTP timeout.
      startToCloseTimeout: '30s',
    },
  } satisfies Record<string, ActivityOptions>;
}
