// The outage rule's last word: a service call that used up the attempts of its outage limit because
// the service was unreachable or failing fails the run with a ServiceUnavailable failure that names the
// service, instead of a bare "activity failed". Anything else passes through unchanged: failures that
// retrying could never fix, cancellations, and errors that are not the service's (a bug in an activity).
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import type { ServiceName } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';

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

/** The service did not answer, answered 5xx/408 or 429, or an attempt timed out. */
function isOutage(cause: Error | undefined): boolean {
  if (cause instanceof TimeoutFailure) return true;
  const outageTypes: readonly string[] = [FailureType.unreachable, FailureType.serviceError, FailureType.rateLimited];
  return cause instanceof ApplicationFailure && outageTypes.includes(cause.type ?? '');
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
