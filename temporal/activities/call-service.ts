// One HTTP call from inside an activity: correlation and trace headers, cancellation, heartbeats, the circuit
// breaker, logs, failure classification, and the answer checked against the contract (a 2xx of another shape is
// a non-retryable BadResponse here, not a TypeError deep inside workflow code).
import { context, propagation } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { nanoid } from 'nanoid';
import type { z } from 'zod';
import { CORRELATION_HEADERS, explain, IDEMPOTENCY_KEY_HEADER, issuesOf, PingResponse, type ServiceName } from '../../shared/contract.ts';
import { badResponse, type CallTarget, classifyFailure, parseJson } from './classify-failure.ts';
import { HTTP_TIMEOUT_MS, type ServiceClient, type ServiceClients } from './service-clients.ts';

/** Heartbeats are how a cancellation reaches a running activity, and how a dead worker is noticed before
 *  start-to-close. Calls that answer within a second never heartbeat: the fast path stays free of RPCs. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

/** A ping answers in milliseconds; two seconds without an answer means the server is not healthy. */
export const PING_TIMEOUT_MS = 2_000;

export interface CallOptions<T> {
  body?: unknown;
  timeoutMs?: number;
  /** Sent as Idempotency-Key with a request that changes state (see idempotency-key.ts). */
  idempotencyKey?: string;
  /** What a successful answer must be: the endpoint's response schema in the service's contract. */
  response: z.ZodType<T>;
  /** false: the call bypasses the service's breaker, because its failures are not the service's (the third party). */
  breaker?: boolean;
}

export async function callService<T>(client: ServiceClient, method: 'GET' | 'POST' | 'DELETE', path: string, options: CallOptions<T>): Promise<T> {
  const ctx = Context.current();
  const { workflowExecution, activityId, attempt } = ctx.info;
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  const requestId = nanoid();
  const target: CallTarget = { service: client.name, method, path, baseUrl: client.baseUrl, timeoutMs };
  const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_INTERVAL_MS);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const logged = { service: target.service, method, path, requestId, attempt };
  const headers: Record<string, string> = {
    [CORRELATION_HEADERS.requestId]: requestId,
    // Absent only for activities started outside a workflow.
    ...(workflowExecution && {
      [CORRELATION_HEADERS.workflowId]: workflowExecution.workflowId,
      [CORRELATION_HEADERS.runId]: workflowExecution.runId,
    }),
    [CORRELATION_HEADERS.activityId]: activityId,
    [CORRELATION_HEADERS.attempt]: String(attempt),
    ...(options.idempotencyKey && { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey }),
  };
  // traceparent: this attempt's RunActivity span, the parent of the service's request span (a no-op while tracing is off).
  propagation.inject(context.active(), headers);
  try {
    const send = () =>
      client.http
        .request<string>({ method, url: path, data: options.body, timeout: timeoutMs, signal: ctx.cancellationSignal, headers })
        .catch((error: unknown) => {
          throw classifyFailure(error, target, attempt, ctx.cancellationSignal);
        });
    const response = options.breaker === false ? await send() : await client.breaker.run(target, send);
    const body = parseJson(response.data);
    const checked = body === undefined ? undefined : options.response.safeParse(body, { error: explain });
    if (!checked?.success) {
      const problem = checked
        ? issuesOf(checked.error)
            .map((i) => (i.field ? `field "${i.field}" ${i.message}` : i.message))
            .join('; ')
        : 'it is not JSON';
      throw badResponse(target, response.status, String(response.headers['content-type'] ?? ''), problem);
    }
    ctx.log.info('service call succeeded', { ...logged, status: response.status, durationMs: elapsed() });
    return checked.data;
  } catch (error) {
    ctx.log.warn('service call failed', { ...logged, durationMs: elapsed(), error: String(error) });
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** The activity both services answer: a ping of the service it is given. */
export function healthCheck(clients: ServiceClients) {
  return (service: ServiceName): Promise<PingResponse> => callService(clients[service], 'GET', '/ping', { timeoutMs: PING_TIMEOUT_MS, response: PingResponse });
}
