// One SERVER span per request, named by its route ("POST /process-internal"), as the child of the span
// the caller sent in `traceparent` (an activity's RunActivity span): so a trace shows each call of each
// attempt, with its status. A 5xx answer or a request the client gave up on is an error; a 4xx is the
// caller's mistake and leaves the span's status unset, as OpenTelemetry's HTTP conventions say.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HttpServiceName } from '../api.ts';
import { callerContext } from '../tracing/propagation.ts';

/** Probes and scrapes start no trace of their own: only with a caller's trace context are they traced. */
const UNTRACED_ROOTS = new Set(['/ping', '/status', '/metrics']);

/**
 * Mount after the middleware that sets `res.locals.endpoint` ("POST /records/:id", or "unmatched"), so
 * the span is named by the route, not by the path with its ids. A no-op while tracing is off.
 */
export function traceRequests(service: HttpServiceName): RequestHandler {
  const tracer = trace.getTracer(service);
  return (req: Request, res: Response, next: NextFunction) => {
    const parent = callerContext(req.headers);
    if (!trace.getSpanContext(parent) && UNTRACED_ROOTS.has(req.path)) return next();
    const endpoint = String(res.locals.endpoint ?? '');
    const route = endpoint.startsWith(`${req.method} `) ? endpoint.slice(req.method.length + 1) : undefined;
    const span = tracer.startSpan(
      // Without a route, only the method: an unknown path must not make a span name of its own.
      route ? `${req.method} ${route}` : req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.path,
          'url.scheme': req.protocol,
          ...(route && { 'http.route': route }),
          ...(req.socket.localPort !== undefined && { 'server.port': req.socket.localPort }),
        },
      },
      parent,
    );
    // Ended when the answer is sent (not when the connection closes, after the caller has read it and its own span ended).
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) {
        span.setAttribute('error.type', String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `answered ${res.statusCode}` });
      }
      span.end();
    });
    res.once('close', () => {
      if (res.writableFinished) return;
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection before the answer' });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
