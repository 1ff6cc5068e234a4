// The one place that decides whether a failed HTTP call is worth retrying: each failure becomes an
// ApplicationFailure naming the service, endpoint and status, non-retryable when retrying cannot fix it.
import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import type { ErrorBody, ServiceName } from '../../shared/contract.ts';
import { FailureType, OUTAGE_FAILURE_TYPES } from '../failure-types.ts';
import { backoffAfter } from '../workflows/activity-options.ts';

export interface CallTarget {
  service: ServiceName;
  method: string;
  path: string;
  baseUrl: string;
  timeoutMs: number;
}

/** The variable that sets each service's URL, named in failures that only a configuration fix can cure. */
const URL_VARIABLE: Record<ServiceName, string> = { 'server-a': 'SERVER_A_URL', 'server-b': 'SERVER_B_URL' };

/** A Retry-After further out than this is capped, so a bad header cannot park a workflow for hours. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Codes of a call that can never succeed with this URL: an unknown host, a bad URL, a request axios refused to
 *  send (an unsupported protocol, say), TLS trouble (TLS to a plain-HTTP port, any certificate problem). Where DNS
 *  follows liveness (a stopped Compose service) an unknown host may be an outage; here the hosts are fixed. */
const CONFIGURATION_CODE = /^(ENOTFOUND|ERR_INVALID_URL|ERR_BAD_REQUEST|ERR_BAD_OPTION_VALUE|EPROTO|ERR_SSL_.*|ERR_TLS_.*|.*CERT.*|UNABLE_TO_.*)$/;

/** `attempt` is the activity's attempt number (1-based), to weigh a Retry-After against the policy's backoff. */
export function classifyFailure(error: unknown, target: CallTarget, attempt: number, signal?: AbortSignal): unknown {
  // Cancelled by Temporal (workflow cancelled, worker shutting down, heartbeat timeout): the CancelledFailure
  // the SDK put on the signal, not an HTTP error.
  if (signal?.aborted) return signal.reason;
  const where = `${target.service} ${target.method} ${target.path}`;
  const code = (error as { code?: unknown } | null)?.code;
  const errorCode = typeof code === 'string' ? code : undefined;
  const fix = `check ${URL_VARIABLE[target.service]} (now "${target.baseUrl}")`;

  if (!axios.isAxiosError(error) || !error.response) {
    if (errorCode && CONFIGURATION_CODE.test(errorCode)) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
      return failure(FailureType.misconfigured, `${where} cannot work: ${errorCode} (${reason}); ${fix}`, target, { code: errorCode });
    }
    if (!axios.isAxiosError(error)) return error;
    const timedOut = errorCode === 'ECONNABORTED' || errorCode === 'ETIMEDOUT';
    const reason = timedOut ? `no answer within ${target.timeoutMs} ms` : (errorCode ?? error.message);
    return failure(FailureType.unreachable, `${where} failed: ${target.service} is unreachable at ${target.baseUrl} (${reason})`, target, { code: errorCode });
  }

  const { status, statusText, headers, data } = error.response;
  const body = (typeof data === 'string' ? parseJson(data) : data) as { error?: Partial<ErrorBody['error']> } | null | undefined;
  const field = body?.error?.field;
  const message = `${where} answered HTTP ${status}: ${body?.error?.message ?? (statusText || 'no message')}${field ? ` (field "${field}")` : ''}`;
  const answer = { status, code: body?.error?.code, field };

  // 501, 505 (this server will never serve this call) or a redirect, which is not followed (service-clients.ts).
  if (status === 501 || status === 505 || (status >= 300 && status < 400)) {
    const location = status < 400 && typeof headers.location === 'string' ? ` to ${headers.location}` : '';
    return failure(FailureType.misconfigured, `${message}${location}; ${fix}`, target, answer);
  }
  // The service's own "a request with this Idempotency-Key is still being processed": wait and retry.
  if (status === 429 || status === 408 || status >= 500 || (status === 409 && answer.code === 'REQUEST_IN_PROGRESS')) {
    const type = status === 429 ? FailureType.rateLimited : FailureType.serviceError;
    return failure(type, message, target, answer, nextRetryDelay(retryAfterMs(headers['retry-after']), attempt));
  }
  // Any other 4xx (400, 404, 413, 422, ...): the same request would be refused again.
  return failure(FailureType.rejected, message, target, answer);
}

/** A 2xx answer whose body is not what the endpoint documents. */
export function badResponse(target: CallTarget, status: number, contentType: string | undefined, problem: string): ApplicationFailure {
  const message =
    `${target.service} ${target.method} ${target.path} answered HTTP ${status} (${contentType || 'no content type'}) ` +
    `with an unexpected body: ${problem}; is ${URL_VARIABLE[target.service]} ("${target.baseUrl}") really ${target.service}?`;
  return failure(FailureType.badResponse, message, target, { status });
}

/** Retry-After as seconds or an HTTP date; undefined (use the retry policy's backoff) when absent or unreadable. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** A Retry-After is honoured when it asks for more than the policy's own backoff, never for less: the
 *  outage limit counts attempts, and attempts must not come faster than the backoff that count assumes.
 *  (Omitting the delay also avoids a 0, which the server would replace by the policy's maximumInterval.) */
export function nextRetryDelay(retryAfter: number | undefined, attempt: number): number | undefined {
  return retryAfter !== undefined && retryAfter > backoffAfter(attempt) ? retryAfter : undefined;
}

/** Only outages are retried. The details name the call and what the service answered (null where it did not say). */
function failure(type: string, message: string, target: CallTarget, answer: { status?: number; code?: string; field?: string }, nextRetryDelay?: number) {
  const { service, method, path } = target;
  const details = { service, method, path, status: answer.status ?? null, code: answer.code ?? null, field: answer.field ?? null };
  return ApplicationFailure.create({ type, message, nonRetryable: !OUTAGE_FAILURE_TYPES.includes(type), nextRetryDelay, details: [details] });
}

export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
