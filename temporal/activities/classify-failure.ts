// The one place that decides whether a failed HTTP call is worth retrying. Temporal retries any
// thrown error by default; this turns each failure into an ApplicationFailure that says which
// service, endpoint and status failed, and marks the ones retrying cannot fix as non-retryable.
import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import type { ErrorBody, ServiceName } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';
import { backoffAfter } from '../retry-policy.ts';

export interface CallTarget {
  service: ServiceName;
  method: string;
  path: string;
  baseUrl: string;
  timeoutMs: number;
  /** The environment variable that sets baseUrl, named when only fixing it can help. */
  urlVariable: string;
}

/** A Retry-After further out than this is capped, so a bad header cannot park a workflow for hours. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface FailureDetails {
  service: ServiceName;
  method: string;
  path: string;
  status: number | null;
  code: string | null;
  field: string | null;
}

/** Error codes of a call that can never succeed with this URL: unknown host, bad URL, TLS trouble. */
const CONFIGURATION_CODES = new Set([
  // Unknown host. Where DNS follows liveness (a stopped Compose or Kubernetes service) this hides an outage
  // behind a configuration error; here the hosts are fixed, so a wrong name is the likelier cause.
  'ENOTFOUND',
  'ERR_INVALID_URL',
  // axios's code for a request it refused to send, e.g. an unsupported protocol in the URL.
  'ERR_BAD_REQUEST',
  'ERR_BAD_OPTION_VALUE',
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const isConfigurationCode = (code: string | undefined) =>
  code !== undefined && (CONFIGURATION_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));

/** 501 Not Implemented and 505 HTTP Version Not Supported: this server will never serve this call. */
const CONFIGURATION_STATUSES = new Set([501, 505]);

/** `attempt` is the activity's attempt number (1-based), to weigh a Retry-After against the policy's backoff. */
export function classifyFailure(error: unknown, target: CallTarget, attempt: number, signal?: AbortSignal): unknown {
  // Cancelled by Temporal (workflow cancelled, worker shutting down, heartbeat timeout): report it
  // as the CancelledFailure the SDK put on the signal, not as an HTTP error.
  if (signal?.aborted) return signal.reason;
  const where = `${target.service} ${target.method} ${target.path}`;
  const code = (error as { code?: unknown } | null)?.code;
  const errorCode = typeof code === 'string' ? code : undefined;
  const fix = `check ${target.urlVariable} (now "${target.baseUrl}")`;

  if (!axios.isAxiosError(error) || !error.response) {
    if (isConfigurationCode(errorCode)) {
      return ApplicationFailure.create({
        type: FailureType.misconfigured,
        message: `${where} cannot work: ${errorCode} (${firstLine(error)}); ${fix}`,
        nonRetryable: true,
        details: [details(target, null, errorCode ?? null, null)],
      });
    }
    if (!axios.isAxiosError(error)) return error;
    const timedOut = errorCode === 'ECONNABORTED' || errorCode === 'ETIMEDOUT';
    const reason = timedOut ? `no answer within ${target.timeoutMs} ms` : (errorCode ?? error.message);
    return ApplicationFailure.create({
      type: FailureType.unreachable,
      message: `${where} failed: ${target.service} is unreachable at ${target.baseUrl} (${reason})`,
      nonRetryable: false,
      details: [details(target, null, errorCode ?? null, null)],
    });
  }

  const response = error.response;
  const status = response.status;
  const body = parseErrorBody(response.data);
  const serviceMessage = body?.error?.message ?? (response.statusText || 'no message');
  const field = body?.error?.field ?? null;
  const message = `${where} answered HTTP ${status}: ${serviceMessage}${field ? ` (field "${field}")` : ''}`;
  const failureDetails = details(target, status, body?.error?.code ?? null, field);

  // Redirects are not followed (see service-clients.ts): a 3xx means the URL points somewhere else.
  if (CONFIGURATION_STATUSES.has(status) || (status >= 300 && status < 400)) {
    const location = status < 400 && typeof response.headers.location === 'string' ? ` to ${response.headers.location}` : '';
    return ApplicationFailure.create({
      type: FailureType.misconfigured,
      message: `${message}${location}; ${fix}`,
      nonRetryable: true,
      details: [failureDetails],
    });
  }
  // The service's own "a request with this Idempotency-Key is still being processed": wait and retry.
  const inProgress = status === 409 && body?.error?.code === 'REQUEST_IN_PROGRESS';
  if (status === 429 || status === 408 || status >= 500 || inProgress) {
    return ApplicationFailure.create({
      type: status === 429 ? FailureType.rateLimited : FailureType.serviceError,
      message,
      nonRetryable: false,
      nextRetryDelay: nextRetryDelay(retryAfterMs(response.headers['retry-after']), attempt),
      details: [failureDetails],
    });
  }
  // Any other 4xx (400, 404, 413, 422, ...): the same request would be refused again.
  return ApplicationFailure.create({ type: FailureType.rejected, message, nonRetryable: true, details: [failureDetails] });
}

/** A 2xx answer whose body is not what the endpoint documents. */
export function badResponse(target: CallTarget, status: number, contentType: string | undefined, problem: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.badResponse,
    message:
      `${target.service} ${target.method} ${target.path} answered HTTP ${status} (${contentType || 'no content type'}) ` +
      `with an unexpected body: ${problem}; is ${target.urlVariable} ("${target.baseUrl}") really ${target.service}?`,
    nonRetryable: true,
    details: [details(target, status, null, null)],
  });
}

/** Retry-After as seconds or an HTTP date; undefined (use the retry policy's backoff) when absent or unreadable. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/**
 * A Retry-After is honoured when it asks for more than the policy's own backoff, never for less: the
 * outage limit counts attempts, and attempts must not come faster than the backoff that count assumes.
 * (Omitting the delay also avoids a 0, which the server would replace by the policy's maximumInterval.)
 */
export function nextRetryDelay(retryAfter: number | undefined, attempt: number): number | undefined {
  return retryAfter !== undefined && retryAfter > backoffAfter(attempt) ? retryAfter : undefined;
}

function parseErrorBody(data: unknown): Partial<ErrorBody> | undefined {
  if (typeof data !== 'string') return typeof data === 'object' && data !== null ? (data as Partial<ErrorBody>) : undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<ErrorBody>) : undefined;
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}

function details(target: CallTarget, status: number | null, code: string | null, field: string | null): FailureDetails {
  return { service: target.service, method: target.method, path: target.path, status, code, field };
}
