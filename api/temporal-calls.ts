// How the API calls Temporal: every call within a deadline, and what its failures answer. Temporal (or
// the namespace) out of reach, or refusing the API's credentials, is a 503 naming the cause; anything else
// is left to the shared 500, logged with its request id.
import { type Client, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { HttpError } from '../shared/service/http-error.ts';

/** A web request does not hang on a Temporal that stopped answering: after this it is answered 503. */
export const CALL_DEADLINE_MS = 5_000;

const UNAVAILABLE = 14;
const RESOURCE_EXHAUSTED = 8;
const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

export function within<T>(client: Client, call: () => Promise<T>, deadlineMs = CALL_DEADLINE_MS): Promise<T> {
  return client.connection.withDeadline(Date.now() + deadlineMs, call);
}

/** The answer for a failed call: an HttpError as it is, Temporal out of reach as a 503, anything else unchanged. */
export function answerFor(error: unknown, namespace: string): unknown {
  if (error instanceof HttpError) return error;
  const retry = { headers: { 'Retry-After': '2' } };
  if (error instanceof NamespaceNotFoundError) {
    return new HttpError(503, 'UPSTREAM_UNAVAILABLE', `The namespace "${namespace}" does not exist on the Temporal server: check TEMPORAL_NAMESPACE`);
  }
  if (isGrpcDeadlineError(error))
    return new HttpError(503, 'UPSTREAM_UNAVAILABLE', `Temporal did not answer within ${CALL_DEADLINE_MS / 1000} s; retry shortly`, retry);
  const code = grpcCode(error);
  if (code === UNAVAILABLE || code === RESOURCE_EXHAUSTED) {
    return new HttpError(503, 'UPSTREAM_UNAVAILABLE', `Temporal is unavailable (${firstLine(error)}); retry shortly`, retry);
  }
  // The API's own credentials, not the caller's request: no retry helps until its configuration is fixed.
  if (code === UNAUTHENTICATED || code === PERMISSION_DENIED) {
    return new HttpError(
      503,
      'UPSTREAM_UNAVAILABLE',
      `Temporal refused the API (${firstLine(error)}): check its TEMPORAL_API_KEY, TLS settings or profile, and its rights on the namespace "${namespace}"`,
    );
  }
  return error;
}

/** The gRPC status code of a failed call, whether the SDK passed the gRPC error on or wrapped it (ServiceError). */
function grpcCode(error: unknown): number | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (isGrpcServiceError(e)) return e.code;
  return undefined;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
