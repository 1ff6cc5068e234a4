// ApplicationFailure type names, shared by activities (which throw them), workflows and the CLI
// (which explains them). Plain constants, so workflow code may import this file.
export const FailureType = {
  /** Server A judged the input invalid; retrying the same input cannot change that. */
  validationFailed: 'ValidationFailed',
  /** A server could not be reached or did not answer its health check in time. */
  healthCheckFailed: 'HealthCheckFailed',
  /** A 4xx answer (not 408/429): the request itself is wrong, so it is not retried. */
  rejected: 'ServiceRejectedRequest',
  /** A 5xx or 408 answer: the service may recover, so it is retried. */
  unavailable: 'ServiceUnavailable',
  /** A 429 answer: retried after the Retry-After the service asked for. */
  rateLimited: 'ServiceRateLimited',
  /** No answer at all (refused, reset, timed out): retried. */
  unreachable: 'ServiceUnreachable',
} as const;
