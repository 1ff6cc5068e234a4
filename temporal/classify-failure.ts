// The one place that decides whether a failed HTTP call is worth retrying. Temporal retries any
// thrown error by default; this turns each failure into an ApplicationFailure that says which
// service, endpoint and status failed, and marks the ones retrying cannot fix as non-retryable.
import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import type { ErrorBody, ServiceName } from '../shared/api.ts';
import { FailureType } from './failure-types.ts';

export interface CallTarget {
  service: ServiceName;
  method: string;
  path: string;
  baseUrl: string;
  timeoutMs: number;
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

export function classifyFailure(error: unknown, target: CallTarget, signal?: AbortSignal): unknown {
  // Cancelled by Temporal (workflow cancelled, worker shutting down, heartbeat timeout): report it
  // as the CancelledFailure the SDK put on the signal, not as an HTTP error.
  if (signal?.aborted) return signal.reason;
  if (!axios.isAxiosError(error)) return error;

  const where = `${target.service} ${target.method} ${target.path}`;
  const response = error.response;
  if (!response) {
    const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
    const reason = timedOut ? `no answer within ${target.timeoutMs} ms` : (error.code ?? error.message);
    return ApplicationFailure.create({
      type: FailureType.unreachable,
      message: `${where} failed: ${target.service} is unreachable at ${target.baseUrl} (${reason})`,
      nonRetryable: false,
      details: [details(target, null, error.code ?? null, null)],
    });
  }

  const status = response.status;
  const body = response.data as Partial<ErrorBody> | undefined;
  const serviceMessage = body?.error?.message ?? (response.statusText || 'no message');
  const field = body?.error?.field ?? null;
  const message = `${where} answered HTTP ${status}: ${serviceMessage}${field ? ` (field "${field}")` : ''}`;
  const failureDetails = details(target, status, body?.error?.code ?? null, field);

  if (status === 429 || status === 408 || status >= 500) {
    return ApplicationFailure.create({
      type: status === 429 ? FailureType.rateLimited : FailureType.unavailable,
      message,
      nonRetryable: false,
      // A zero delay would be replaced by the policy's maximumInterval on the server: omit it instead.
      nextRetryDelay: retryAfterMs(response.headers['retry-after']) || undefined,
      details: [failureDetails],
    });
  }
  // Any other 4xx (400, 404, 413, 422, ...): the same request would be refused again.
  return ApplicationFailure.create({ type: FailureType.rejected, message, nonRetryable: true, details: [failureDetails] });
}

/** Retry-After as seconds or an HTTP date; undefined (use the retry policy's backoff) when absent or unreadable. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function details(target: CallTarget, status: number | null, code: string | null, field: string | null): FailureDetails {
  return { service: target.service, method: target.method, path: target.path, status, code, field };
}
