// The outage rule's last word: a service call that used up the attempts of its outage limit fails the
// run with a ServiceUnavailable failure that names the service, instead of a bare "activity failed".
// Failures that retrying could never fix (rejected, misconfigured, bad response) and cancellations
// pass through unchanged.
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import type { ServiceName } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';

export async function rideOut<T>(service: ServiceName, outageLimitMs: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ActivityFailure) || error.retryState !== RetryState.MAXIMUM_ATTEMPTS_REACHED) throw error;
    throw ApplicationFailure.create({
      type: FailureType.serviceUnavailable,
      message: `${service} stayed unavailable for longer than the outage limit of ${seconds(outageLimitMs)}: ${error.cause?.message ?? error.message}`,
      nonRetryable: true,
      details: [{ service, outageLimitMs, activityType: error.activityType }],
      cause: error,
    });
  }
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
