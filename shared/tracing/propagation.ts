// The W3C trace context on HTTP: the caller sends the active span as `traceparent` (and `tracestate`),
// the service reads it back as the parent of its request span (trace-requests.ts). A no-op while tracing
// is off (no propagator is registered then), so callers need not check.
import { context, propagation } from '@opentelemetry/api';

/** Headers that carry the active span to the service called; empty when nothing is traced. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
