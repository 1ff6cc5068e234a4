// The SDK's OpenTelemetry interceptors for the client and the worker, used only when tracing is on
// (shared/tracing/setup.ts). The client's start span is a trace's root, sent in the start request's headers;
// the workflow's spans (RunWorkflow, StartActivity) leave the sandbox through a sink; each activity attempt is
// a RunActivity span, active while it runs, so callService sends it on as `traceparent`. Replay is unchanged.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import type { ClientInterceptors, Next, WorkflowClientInterceptor, WorkflowDescribeInput, WorkflowQueryInput } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../shared/tracing/setup.ts';

/** Set on each RunActivity span (the SDK sets the activity's id, not which attempt the span is). */
export const ATTEMPT_ATTRIBUTE = 'temporalActivityAttempt';

/** The SDK's workflow interceptors, bundled into the workflow code when tracing is on (tests bundle it in themselves). */
export const TRACING_WORKFLOW_MODULE = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** The SDK's client interceptor without its spans for reads: the CLI polls a run's progress query four
 *  times a second while it waits, and each poll would be a trace of its own (a root span per query). */
class ChangesOnlyClientInterceptor extends OpenTelemetryWorkflowClientInterceptor {
  override query(input: WorkflowQueryInput, next: Next<WorkflowClientInterceptor, 'query'>): Promise<unknown> {
    return next(input);
  }

  override describe(input: WorkflowDescribeInput, next: Next<WorkflowClientInterceptor, 'describe'>): ReturnType<Next<WorkflowClientInterceptor, 'describe'>> {
    return next(input);
  }
}

/** For the client: its start (and signal, update, cancel…) calls become spans, sent on in the request's headers. */
export function clientTracing(): ClientInterceptors {
  return { workflow: [new ChangesOnlyClientInterceptor()] };
}

/** For the worker: workflow and activity spans, the workflow's exported through `tracing`'s processor. */
export function workerTracing(tracing: Pick<Tracing, 'resource' | 'spanProcessor'>): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      workflowModules: [TRACING_WORKFLOW_MODULE],
      activity: [
        // The outbound one adds trace_id and span_id to the activities' log lines.
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        // Runs inside the first one, while its RunActivity span is the active one.
        (ctx) => ({
          inbound: {
            execute: (input, next) => {
              trace.getActiveSpan()?.setAttribute(ATTEMPT_ATTRIBUTE, ctx.info.attempt);
              return next(input);
            },
          },
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
