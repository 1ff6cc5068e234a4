// Makes one HTTP call from inside an activity: correlation and trace headers, the activity's cancellation
// signal, heartbeats while waiting, the service's circuit breaker, a check of the answer's shape, structured
// logs, and failure classification.
import { Context } from '@temporalio/activity';
import { nanoid } from 'nanoid';
import { CORRELATION_HEADERS, IDEMPOTENCY_KEY_HEADER } from '../../shared/api.ts';
import { traceHeaders } from '../../shared/tracing/propagation.ts';
import { badResponse, type CallTarget, classifyFailure } from './classify-failure.ts';
import { type Kind, shapeProblem } from './response-shapes.ts';
import { HTTP_TIMEOUT_MS, type ServiceClient, URL_VARIABLE } from './service-clients.ts';

/**
 * Heartbeats are how a cancellation reaches a running activity (the server answers a heartbeat with
 * "cancel requested") and how a dead worker is noticed before start-to-close. One a second while a call
 * is pending; calls that answer within a second never heartbeat, which keeps the fast path free of RPCs.
 */
export const HEARTBEAT_INTERVAL_MS = 1_000;

export interface CallOptions {
  body?: unknown;
  timeoutMs?: number;
  /** Sent as Idempotency-Key with a request that changes state (see idempotency-key.ts). */
  idempotencyKey?: string;
  /** What a successful answer must look like (see response-shapes.ts). */
  shape: Readonly<Record<string, Kind>>;
  /** false: the call bypasses the service's breaker, because its failures are not the service's (the third party). */
  breaker?: boolean;
}

export async function callService<T>(client: ServiceClient, method: 'GET' | 'POST' | 'DELETE', path: string, options: CallOptions): Promise<T> {
  const ctx = Context.current();
  const { workflowExecution, activityId, attempt } = ctx.info;
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  const requestId = nanoid();
  const target: CallTarget = { service: client.name, method, path, baseUrl: client.baseUrl, timeoutMs, urlVariable: URL_VARIABLE[client.name] };
  const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_INTERVAL_MS);
  const started = performance.now();
  const logged = { service: target.service, method, path, requestId, attempt };
  try {
    const send = async () => {
      try {
        return await client.http.request<string>({
          method,
          url: path,
          data: options.body,
          timeout: timeoutMs,
          signal: ctx.cancellationSignal,
          headers: {
            [CORRELATION_HEADERS.requestId]: requestId,
            // Absent only for activities started outside a workflow.
            ...(workflowExecution && {
              [CORRELATION_HEADERS.workflowId]: workflowExecution.workflowId,
              [CORRELATION_HEADERS.runId]: workflowExecution.runId,
            }),
            [CORRELATION_HEADERS.activityId]: activityId,
            [CORRELATION_HEADERS.attempt]: String(attempt),
            ...(options.idempotencyKey && { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey }),
            // traceparent: this attempt's RunActivity span, the parent of the service's request span (when tracing).
            ...traceHeaders(),
          },
        });
      } catch (error) {
        throw classifyFailure(error, target, attempt, ctx.cancellationSignal);
      }
    };
    // Through the service's breaker: while it is open, this throws CircuitOpen without sending anything.
    const response = options.breaker === false ? await send() : await client.breaker.run(target, send);
    const contentType = String(response.headers['content-type'] ?? '');
    const body = parseJson(response.data);
    const problem = body === undefined ? 'it is not JSON' : shapeProblem(body, options.shape);
    if (problem) throw badResponse(target, response.status, contentType, problem);
    ctx.log.info('service call succeeded', { ...logged, status: response.status, durationMs: elapsed(started) });
    return body as T;
  } catch (error) {
    ctx.log.warn('service call failed', { ...logged, durationMs: elapsed(started), error: String(error) });
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
