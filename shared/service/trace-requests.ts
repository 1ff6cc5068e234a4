// One SERVER span per request, named by its route ("POST /process-internal"), as the child of the span
// the caller sent in `traceparent`: a trace shows each call of each attempt. A 5xx or a request the client
// gave up on is an error; a 4xx leaves the status unset, as OpenTelemetry's HTTP conventions say.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HttpServiceName } from '../contract.ts';

/** Probes and scrapes start no trace of their own: only with a caller's trace context are they traced. */
const UNTRACED_ROOTS = new Set(['/ping', '/status', '/metrics']);

/** Mounted after `res.locals.endpoint` is set ("POST /records/:id"), so the span is named by the route, not the path with its ids. */
export function traceRequests(service: HttpServiceName): RequestHandler {
  const tracer = trace.getTracer(service);
  return (req: Request, res: Response, next: NextFunction) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
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
