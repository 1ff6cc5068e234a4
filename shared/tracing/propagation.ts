// The W3C trace context on HTTP: the caller sends the active span as `traceparent` (and `tracestate`),
// the service reads it back as the parent of its request span. Both are no-ops while tracing is off
// (no propagator is registered then), so callers need not check.
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/** Headers that carry the active span to the service called; empty when nothing is traced. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The caller's span, from a request's headers, as the context to start the request's span in. */
export function callerContext(headers: IncomingHttpHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}
