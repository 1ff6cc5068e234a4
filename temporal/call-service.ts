// Makes one HTTP call from inside an activity: correlation headers, the activity's cancellation
// signal, heartbeats while waiting, structured logs, and failure classification.
import { Context } from '@temporalio/activity';
import { nanoid } from 'nanoid';
import { CORRELATION_HEADERS } from '../shared/api.ts';
import { classifyFailure } from './classify-failure.ts';
import { HTTP_TIMEOUT_MS, type ServiceClient } from './service-clients.ts';

/** Heartbeating while a call is pending is what lets Temporal deliver a cancellation to it. */
const HEARTBEAT_INTERVAL_MS = 2_000;

export interface CallOptions {
  body?: unknown;
  timeoutMs?: number;
}

export async function callService<T>(client: ServiceClient, method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<T> {
  const ctx = Context.current();
  const { workflowExecution, activityId, attempt } = ctx.info;
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  const requestId = nanoid();
  const target = { service: client.name, method, path, baseUrl: client.baseUrl, timeoutMs };
  const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_INTERVAL_MS);
  const started = performance.now();
  try {
    const response = await client.http.request<T>({
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
      },
    });
    ctx.log.info('service call succeeded', { ...target, requestId, status: response.status, durationMs: elapsed(started) });
    return response.data;
  } catch (error) {
    const failure = classifyFailure(error, target, ctx.cancellationSignal);
    ctx.log.warn('service call failed', { ...target, requestId, attempt, durationMs: elapsed(started), error: String(failure) });
    throw failure;
  } finally {
    clearInterval(heartbeat);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
