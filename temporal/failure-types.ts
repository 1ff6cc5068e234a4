// ApplicationFailure type names, shared by activities (which throw them), workflows and the CLI (which
// explains them). No I/O: workflow code imports this file.
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

export const FailureType = {
  // ---- thrown by activities, one attempt at a time ----
  /** No answer at all (refused, reset, timed out): retried. */
  unreachable: 'ServiceUnreachable',
  /** A 5xx (not 501/505) or 408 answer: the service may recover, so it is retried. */
  serviceError: 'ServiceError',
  /** A 429 answer: retried after the Retry-After the service asked for. */
  rateLimited: 'ServiceRateLimited',
  /** A 4xx answer (not 408/429): the request itself is wrong, so it is not retried. */
  rejected: 'ServiceRejectedRequest',
  /** The service URL cannot work (unknown host, invalid URL, TLS, 501/505): not retried; names the variable to fix. */
  misconfigured: 'ServiceMisconfigured',
  /** A 2xx whose body is not the documented shape (a proxy's HTML page, say): not retried. */
  badResponse: 'BadResponse',
  /** Not sent: the worker's circuit breaker for the service is open after repeated outages (circuit-breaker.ts).
   *  Retried like an outage, except by a step with a fallback, which takes it at once (activity-options.ts). */
  circuitOpen: 'CircuitOpen',

  // ---- thrown by workflows: each ends the run ----
  /** The workflow's input is not of its documented shape, whichever client sent it. */
  invalidInput: 'InvalidWorkflowInput',
  /** Server A judged the data invalid; retrying the same data cannot change that. */
  validationFailed: 'ValidationFailed',
  /** A service stayed unreachable or failing for longer than the run's outage limit. */
  serviceUnavailable: 'ServiceUnavailable',
  /** A saga could not undo a step (a service refused the undo for good): its state needs a person. */
  compensationFailed: 'CompensationFailed',
  /** A reviewer rejected the publication, or its review expired: a business outcome, the saga undoes itself. */
  reviewRejected: 'ReviewRejected',

  // ---- answers to messages, never the end of a run ----
  /** A review decision the publish run refused (malformed, or no review pending): nothing was recorded. */
  decisionRefused: 'ReviewDecisionRefused',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/** Down, failing or overloaded, as one attempt saw it: what the circuit breaker counts, and (with CircuitOpen)
 *  what the outage rule rides out (interceptors.ts). */
export const OUTAGE_FAILURE_TYPES: readonly string[] = [FailureType.unreachable, FailureType.serviceError, FailureType.rateLimited];

/** Server A's verdict when valid; otherwise the non-retryable ValidationFailed that ends the run (a plain Error
 *  would fail the workflow *task* instead, which Temporal retries forever, hoping for a code fix). */
export function assertValid<V extends { valid: boolean; errors: Array<{ message: string }> }>(verdict: V): V {
  if (verdict.valid) return verdict;
  const reasons = verdict.errors.map((e) => e.message).join('; ');
  throw ApplicationFailure.create({
    type: FailureType.validationFailed,
    message: `Input rejected by server-a /validate: ${reasons}`,
    nonRetryable: true,
    details: [verdict.errors],
  });
}

/** The CircuitOpen failure under an activity's failure, or undefined. */
export function circuitOpenCause(error: unknown): ApplicationFailure | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === FailureType.circuitOpen ? cause : undefined;
}
