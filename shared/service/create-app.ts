// The Express plumbing both services and the workflow API (api/) share: request ids, one structured log line and one trace span per request,
// per-endpoint metrics, /ping, /status and /metrics, JSON errors for every bad-input class, 404 and
// 405, and Idempotency-Key handling for mutating routes. A service only supplies its routes; each handler takes
// the parsed body and returns the answer (or a Reply with another status).
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { nanoid } from 'nanoid';
import { CORRELATION_HEADERS, type HttpServiceName, type PingResponse, type StatusResponse } from '../api.ts';
import type { Logger } from '../logger.ts';
import type { FaultPlan } from './faults.ts';
import { HttpError } from './http-error.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { EndpointMetrics } from './metrics.ts';
import { runMutation } from './mutations.ts';
import { HttpMetrics } from './prometheus.ts';
import { PlainText, Streamed, toAnswer } from './reply.ts';
import { traceRequests } from './trace-requests.ts';

/** Largest accepted request body; bigger bodies are answered with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;
/** Deepest accepted nesting of objects and arrays in a request body; deeper ones are answered with 400. */
export const MAX_BODY_DEPTH = 32;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Exact path; `:name` segments are parameters (req.params.name). */
  path: string;
  /** Changes state: needs an Idempotency-Key and runs exactly once per key (see mutations.ts). */
  mutates?: boolean;
  /** Returns the JSON answer (status 200, a Reply or a Streamed of reply.ts) or throws HttpError. */
  handle: (body: unknown, req: Request) => unknown;
}

export interface ServiceOptions {
  service: HttpServiceName;
  version: string;
  logger: Logger;
  routes: Route[];
  /** Shown by GET /status; a function so it reflects the current values. */
  settings: () => StatusResponse['settings'];
  /** Needed when any route mutates: where the answers of Idempotency-Keys are kept. */
  idempotency?: IdempotencyStore;
  /** Shared secret every caller must present (Authorization: Bearer), except on /ping; none when absent. */
  token?: string | undefined;
  faults?: FaultPlan;
}

const REQUEST_ID = /^[\w.:/-]{1,128}$/;
const UNMATCHED = 'unmatched';

export function createServiceApp(options: ServiceOptions): express.Express {
  const { service, version, logger, settings } = options;
  // A copy: the plan's `times` counts down per app, and the caller's object (perhaps given to two apps) stays as it was.
  const faults: FaultPlan = { ...options.faults };
  const metrics = new EndpointMetrics();
  const prometheus = new HttpMetrics(service);
  const startedAt = new Date();
  const uptimeSeconds = () => Math.round(process.uptime() * 10) / 10;

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/ping',
      handle: (): PingResponse => ({ service, status: 'ok', version, uptimeSeconds: uptimeSeconds() }),
    },
    ...options.routes,
    {
      method: 'GET',
      path: '/status',
      handle: (): StatusResponse => {
        const memory = process.memoryUsage();
        return {
          service,
          version,
          startedAt: startedAt.toISOString(),
          uptimeSeconds: uptimeSeconds(),
          memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
          endpoints: metrics.snapshot(),
          settings: settings(),
        };
      },
    },
    // For Prometheus (its text format, not JSON); behind SERVICE_TOKEN like /status: scrape with a bearer token.
    { method: 'GET', path: '/metrics', handle: async () => new PlainText(prometheus.contentType, await prometheus.text()) },
  ];

  const app = express();
  // Aborted when the service is about to stop (serve.ts): long waits answer instead of outliving the grace time.
  const stopping = new AbortController();
  stoppingControllers.set(app, stopping);
  app.disable('x-powered-by');
  app.set('etag', false);
  // Exact paths only, so routing, the 405 check and the metrics keys all agree on what "/ping" is.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  // Each route's path as a pattern, so metrics and 405s treat /records/abc as "/records/:id".
  const patterns = routes.map((r) => ({ route: r, regex: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+')}$`) }));
  const patternOf = (path: string) => patterns.find((p) => p.regex.test(path))?.route.path;
  // A HEAD is its GET without a body; a known path with the wrong method is counted under that path
  // (its 405 is the service's answer, not an unknown route). Only unknown paths are "unmatched".
  const endpointOf = (method: string, path: string) => {
    const asMethod = method === 'HEAD' ? 'GET' : method;
    const match = patterns.find((p) => p.route.method === asMethod && p.regex.test(path)) ?? patterns.find((p) => p.regex.test(path));
    return match ? `${method} ${match.route.path}` : UNMATCHED;
  };

  // Request id, timing, and exactly one log line and one metrics sample per request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const incoming = req.get(CORRELATION_HEADERS.requestId);
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : nanoid();
    res.locals.requestId = requestId;
    // Set before the body is parsed, so a malformed body still counts against its endpoint.
    res.locals.endpoint = endpointOf(req.method, req.path);
    metrics.begin(res.locals.endpoint);
    res.setHeader('X-Request-Id', requestId);
    const gone = new AbortController();
    clientSignals.set(req, AbortSignal.any([gone.signal, stopping.signal]));
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new Error('the client closed the connection before the answer'));
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const aborted = !res.writableFinished;
      metrics.record(res.locals.endpoint, { status: res.statusCode, durationMs, aborted });
      prometheus.observe(req.method, res.locals.endpoint, { status: res.statusCode, durationMs, aborted });
      const line = {
        requestId,
        method: req.method,
        path: req.path,
        status: aborted ? null : res.statusCode,
        durationMs,
        ...correlation(req),
      };
      if (aborted) logger.warn({ ...line, aborted: true }, 'client closed the connection before the answer');
      else logger.info(line, 'request');
    });
    next();
  });
  app.use(traceRequests(service));

  // With a shared secret configured, every endpoint but /ping (a liveness probe) needs it, before routing:
  // a caller without it learns nothing about which routes exist.
  if (options.token) {
    const expected = createHash('sha256').update(options.token).digest();
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (req.path === '/ping') return next();
      const presented = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
      // Hashes of equal length, compared in constant time: neither the token nor its length leaks by timing.
      if (!timingSafeEqual(createHash('sha256').update(presented).digest(), expected)) {
        throw new HttpError(401, 'UNAUTHORIZED', 'This service needs its shared secret: send Authorization: Bearer <SERVICE_TOKEN>', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      }
      next();
    });
  }

  // Routing comes before the body: an unknown route is a 404 and a wrong method a 405 (with the methods
  // the path does accept), whatever the body holds.
  const allowed = new Map<string, string[]>();
  for (const route of routes) allowed.set(route.path, [...(allowed.get(route.path) ?? []), route.method]);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (patterns.some((p) => p.route.method === method && p.regex.test(req.path))) return next();
    const pattern = patternOf(req.path);
    const methods = pattern === undefined ? undefined : allowed.get(pattern);
    if (methods) {
      const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; use ${allow}`, {
        headers: { Allow: allow },
      });
    }
    throw new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`);
  });

  // strict: false parses any JSON value, so a body of `42` or `null` is refused by the route as "not an
  // object" (INVALID_BODY) rather than mistaken for broken JSON.
  app.use(express.json({ limit: BODY_LIMIT_BYTES, strict: false }));
  // A few KiB of brackets nest thousands of levels deep, enough to overflow the stack of any recursive
  // code that later walks the body (echoing it, logging it): refused here, once, for every route.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (depthOf(req.body) > MAX_BODY_DEPTH) {
      throw new HttpError(400, 'INVALID_BODY', `Request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    next();
  });

  for (const route of routes) {
    const endpoint = `${route.method} ${route.path}`;
    const register = { GET: app.get, POST: app.post, DELETE: app.delete }[route.method].bind(app);
    register(route.path, async (req: Request, res: Response) => {
      if (route.mutates) {
        if (!options.idempotency) throw new Error(`${endpoint} mutates, but the service has no idempotency store`);
        await runMutation(req, res, endpoint, options.idempotency, faults, () => route.handle(req.body, req));
        return;
      }
      const result = await route.handle(req.body, req);
      if (result instanceof Streamed) return result.write(res);
      const answer = toAnswer(result);
      if (answer.body instanceof PlainText) res.status(answer.status).type(answer.body.contentType).send(answer.body.text);
      else res.status(answer.status).json(answer.body);
    });
  }

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.destroyed) return;
    if (stopping.signal.aborted && clientGone(req).aborted) {
      res
        .status(503)
        .set({ 'Retry-After': '1', Connection: 'close' })
        .json({ error: { code: 'SHUTTING_DOWN', message: 'The service is stopping; retry shortly' } });
      return;
    }
    // The client went away (its request's work was aborted): there is no one left to answer.
    if (clientGone(req).aborted) return;
    const httpError = toHttpError(error);
    if (error instanceof HttpError && httpError.status >= 500) {
      // A 5xx the service chose to give (a simulated outage, the fault knob): an answer, not a fault of the service.
      logger.info({ requestId: res.locals.requestId, path: req.path, code: httpError.code }, `answered ${httpError.status} ${httpError.code}`);
    } else if (httpError.status >= 500) {
      logger.error({ err: error, requestId: res.locals.requestId, path: req.path }, 'unhandled error');
    }
    res.status(httpError.status).set(httpError.headers).json(httpError.toBody());
  });

  return app;
}

/** How deep objects and arrays nest in `value`, walked without recursion (the point is not to overflow). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_BODY_DEPTH) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

const clientSignals = new WeakMap<Request, AbortSignal>();
const stoppingControllers = new WeakMap<object, AbortController>();

/** Aborted when the client of `req` goes away before its answer, or the service begins to stop: long work for it can stop. */
export function clientGone(req: Request): AbortSignal {
  return clientSignals.get(req) ?? AbortSignal.abort();
}

/** Left of the grace time for the answers of the waits that were cut short. */
const STOP_MARGIN_MS = 1_000;

/**
 * Tells an app made by createServiceApp that it is stopping (called by serve.ts's close). Requests in
 * flight may finish within the grace time; whatever still waits just before it ends is answered 503.
 */
export function beginStopping(app: object, graceMs: number): void {
  const controller = stoppingControllers.get(app);
  if (!controller) return;
  setTimeout(() => controller.abort(new Error('the service is stopping')), Math.max(0, graceMs - STOP_MARGIN_MS)).unref();
}

function correlation(req: Request): Record<string, string> {
  const fields: Record<string, string> = {};
  const pairs = [
    ['workflowId', CORRELATION_HEADERS.workflowId],
    ['runId', CORRELATION_HEADERS.runId],
    ['activityId', CORRELATION_HEADERS.activityId],
    ['attempt', CORRELATION_HEADERS.attempt],
  ] as const;
  for (const [key, header] of pairs) {
    const value = req.get(header);
    if (value) fields[key] = value.slice(0, 200);
  }
  return fields;
}

/** Maps body-parser failures to their documented answers; anything unexpected is a 500 without details. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new HttpError(400, 'INVALID_JSON', 'Request body is not valid JSON');
  if (type === 'entity.too.large') {
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than the ${BODY_LIMIT_BYTES / 1024} KiB limit`);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new HttpError(400, 'INVALID_BODY', 'Request body must be UTF-8 JSON');
  }
  // Other bodies body-parser cannot read are the client's fault too, e.g. a corrupt gzip body.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(400, 'INVALID_BODY', 'Request body could not be read');
  }
  return new HttpError(500, 'INTERNAL', 'Internal error; see the service log for this request id');
}
