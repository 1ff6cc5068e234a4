// The outage rule's last word: a service call that used up the attempts of its outage limit because
// the service was unreachable or failing fails the run with a ServiceUnavailable failure that names the
// service, instead of a bare "activity failed". Anything else passes through unchanged: failures that
// retrying could never fix, cancellations, and errors that are not the service's (a bug in an activity).
// An open circuit breaker (CircuitOpen) is an outage too: the worker stopped calling the service because it was failing.
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import type { ServiceName } from '../../shared/api.ts';
import { FailureType, OUTAGE_FAILURE_TYPES } from '../failure-types.ts';

export async function rideOut<T>(service: ServiceName, outageLimitMs: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ActivityFailure) || error.retryState !== RetryState.MAXIMUM_ATTEMPTS_REACHED || !isOutage(error.cause)) throw error;
    throw ApplicationFailure.create({
      type: FailureType.serviceUnavailable,
      message: `${service} stayed unavailable for longer than the outage limit of ${seconds(outageLimitMs)}: ${error.cause?.message ?? error.message}`,
      nonRetryable: true,
      details: [{ service, outageLimitMs, activityType: error.activityType }],
      cause: error,
    });
  }
}

/** The service did not answer, answered 5xx/408 or 429, an attempt timed out, or the worker's breaker for it was open. */
function isOutage(cause: Error | undefined): boolean {
  if (cause instanceof TimeoutFailure) return true;
  return cause instanceof ApplicationFailure && (OUTAGE_FAILURE_TYPES.includes(cause.type ?? '') || cause.type === FailureType.circuitOpen);
}

/**
 * Runs a step that has a documented fallback: when its call was not sent because the worker's circuit breaker
 * for the service is open (an ActivityFailure caused by CircuitOpen; its activity options make that reach the
 * workflow at once), `fallback` answers instead. Any other failure passes through, so every other outage keeps
 * the outage rule.
 */
export async function orFallback<T, F>(call: () => Promise<T>, fallback: (circuitOpen: ApplicationFailure) => F): Promise<T | F> {
  try {
    return await call();
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.circuitOpen) throw error;
    return fallback(cause);
  }
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
