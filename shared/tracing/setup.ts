// Each process's OpenTelemetry tracer provider (TRACES, OTEL_EXPORTER_OTLP_ENDPOINT). Off by default: nothing is
// registered and the API stays a no-op. On, it is registered globally with the W3C `traceparent` propagator and
// an AsyncLocalStorage context: what carries an activity's span into callService's headers and the services' spans.
import { createRequire } from 'node:module';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config.ts';
import { fromProjectRoot } from '../paths.ts';
import { consoleExporter, fileExporter } from './line-exporter.ts';

/** Each named in its spans' resource (service.name). */
export type TracedProcess = 'server-a' | 'server-b' | 'worker' | 'client';

/** OTLP spans are sent at most this long after they end: a run is in the viewer right after it. */
const OTLP_BATCH_DELAY_MS = 1_000;

/** The SDK is loaded only when traces are on, the OTLP exporter only with an endpoint: they slow every start (docs/performance.md). */
const load = createRequire(import.meta.url);

export type Tracing = ReturnType<typeof createTracing>;

/** Starts tracing for `service` as configured; undefined (and nothing registered) when traces are off. */
export function startTracing(service: TracedProcess, traces: Config['traces']): Tracing | undefined {
  return tracesOn(traces) ? createTracing(service, tracingProcessors(traces)) : undefined;
}

export function tracingProcessors(traces: Config['traces']): SpanProcessor[] {
  const { BatchSpanProcessor, SimpleSpanProcessor } = load('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const processors: SpanProcessor[] = [];
  // Synchronous writes, span by span: for development, where seeing every span at once matters more than speed.
  if (traces.console) processors.push(new SimpleSpanProcessor(consoleExporter()));
  if (traces.file) processors.push(new SimpleSpanProcessor(fileExporter(fromProjectRoot(traces.file))));
  if (traces.otlpEndpoint) {
    const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
    const exporter = new OTLPTraceExporter({ url: `${traces.otlpEndpoint}/v1/traces` });
    processors.push(new BatchSpanProcessor(exporter, { scheduledDelayMillis: OTLP_BATCH_DELAY_MS }));
  }
  return processors;
}

/** Registers a tracer provider for the whole process (tests pass an in-memory exporter's processor). */
export function createTracing(service: string, processors: SpanProcessor[]) {
  const { Resource } = load('@opentelemetry/resources') as typeof Resources;
  const { NodeTracerProvider } = load('@opentelemetry/sdk-trace-node') as typeof TraceNode;
  const resource = Resource.default().merge(new Resource({ 'service.name': service }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  // spanProcessor: the worker also hands it the workflow spans, made in its sandbox; shutdown sends what is buffered.
  return { resource, spanProcessor: provider.getActiveSpanProcessor(), shutdown: () => provider.shutdown() };
}

/** Where spans go, for a process's start-up log line: "off", or e.g. "file:.data/traces.jsonl, otlp http://localhost:4318". */
export function describeTraces(traces: Config['traces']): string {
  const outputs = [traces.console && 'console', traces.file && `file:${traces.file}`, traces.otlpEndpoint && `otlp ${traces.otlpEndpoint}`].filter(Boolean);
  return outputs.length === 0 ? 'off' : outputs.join(', ');
}

export function tracesOn(traces: Config['traces']): boolean {
  return traces.console || traces.file !== undefined || traces.otlpEndpoint !== undefined;
}
