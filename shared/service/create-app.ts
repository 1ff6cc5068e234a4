// The Express app both services and the workflow API (api/) run: per request an id, a log line, a span
// (traces on) and metrics; /ping, /status and /metrics; JSON errors for every bad input, 404 and 405; and
// Idempotency-Keys for routes that change state. A service supplies its routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { nanoid } from 'nanoid';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { CORRELATION_HEADERS, type EndpointStats, type HttpServiceName, type PingResponse, type StatusResponse } from '../contract.ts';
import type { Logger } from '../logger.ts';
import { VERSION } from '../paths.ts';
import { HttpError } from './http-error.ts';
import { type FaultPlan, type IdempotencyStore, runMutation, type StoredAnswer } from './idempotency.ts';

/** Largest accepted request body (413 past it), and deepest nesting of its objects and arrays (400 past it). */
export const BODY_LIMIT_BYTES = 64 * 1024;
const MAX_BODY_DEPTH = 32;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Exact path; `:name` segments are parameters (req.params.name). */
  path: string;
  /** Changes state: needs an Idempotency-Key and runs exactly once per key (see idempotency.ts). */
  mutates?: boolean;
  /** Returns the JSON answer (status 200, or a Reply), throws HttpError, or writes the answer on `res` itself. */
  handle: (body: unknown, req: Request, res: Response) => unknown;
}

export interface ServiceOptions {
  service: HttpServiceName;
  logger: Logger;
  routes: Route[];
  /** Shown by GET /status, as they are now. */
  settings: () => StatusResponse['settings'];
  /** Needed when any route mutates. */
  idempotency?: IdempotencyStore;
  /** Shared secret every caller but /ping's must send (Authorization: Bearer); none when absent. */
  token?: string | undefined;
  faults?: FaultPlan;
  /** trace-requests.ts when traces are on. */
  trace?: (service: HttpServiceName) => RequestHandler;
  /** Run before routing, after the request's id, log line and span: the API's console files and who-is-calling checks. */
  before?: RequestHandler[];
}

/** A handler's answer with a status other than 200 (201 Created, say). */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    this.status = status;
    this.body = body;
  }
}

const REQUEST_ID = /^[\w.:/-]{1,128}$/;
const SHUTTING_DOWN = { error: { code: 'SHUTTING_DOWN', message: 'The service is stopping; retry shortly' } };
/** Left of the grace time for answering the waits cut short by a stop. */
const STOP_MARGIN_MS = 1_000;
const clientSignals = new WeakMap<Request, AbortSignal>();

export function createServiceApp(options: ServiceOptions): express.Express {
  const { service, logger, settings } = options;
  // A copy: `times` counts down per app, not in the caller's object.
  const faults: FaultPlan = { ...options.faults };
  const metrics = httpMetrics(service);
  const uptimeSeconds = () => Math.round(process.uptime() * 10) / 10;
  const startedAt = new Date().toISOString();
  const routes: Route[] = [
    { method: 'GET', path: '/ping', handle: (): PingResponse => ({ service, status: 'ok', version: VERSION, uptimeSeconds: uptimeSeconds() }) },
    ...options.routes,
    {
      method: 'GET',
      path: '/status',
      handle: async (): Promise<StatusResponse> => {
        const { rss, heapUsed } = process.memoryUsage();
        const memory = { rssBytes: rss, heapUsedBytes: heapUsed };
        return { service, version: VERSION, startedAt, uptimeSeconds: uptimeSeconds(), memory, endpoints: await metrics.snapshot(), settings: settings() };
      },
    },
    // Prometheus's text format; behind SERVICE_TOKEN like /status.
    { method: 'GET', path: '/metrics', handle: async (_body, _req, res) => res.type(metrics.contentType).send(await metrics.text()) },
  ];

  const app = express();
  // Aborted just before the grace time ends: long waits answer instead of outliving it.
  const stopping = new AbortController();
  const unanswered = new Set<Response>();
  let stopBegun = false;
  // Emitted by serve.ts's close, with the grace time.
  app.once('stopping', (graceMs: number) => {
    stopBegun = true;
    for (const res of unanswered) closeWhenAnswered(res);
    setTimeout(() => stopping.abort(new Error('the service is stopping')), Math.max(0, graceMs - STOP_MARGIN_MS)).unref();
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  // Exact paths only: routing, 405s and metrics keys agree on what "/ping" is.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  // Each route's path as a pattern, so metrics and 405s treat /records/abc as "/records/:id".
  const patterns = routes.map((route) => ({ route, regex: new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+')}$`) }));
  const asGet = (method: string) => (method === 'HEAD' ? 'GET' : method);
  const routeOf = (method: string, path: string) => patterns.find((p) => p.route.method === asGet(method) && p.regex.test(path))?.route;
  const patternOf = (path: string) => patterns.find((p) => p.regex.test(path))?.route.path;
  const knownMethods = new Set<string>(routes.map((r) => r.method));
  // Unknown paths count as "unmatched" and methods no route uses (ACL, …) as "other": no client can grow the series.
  const endpointOf = (method: string, path: string): Endpoint => ({
    method: knownMethods.has(asGet(method)) ? method : OTHER_METHOD,
    route: routeOf(method, path)?.path ?? patternOf(path) ?? UNMATCHED,
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const incoming = req.get(CORRELATION_HEADERS.requestId);
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : nanoid();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    // Known before the body is parsed: a malformed body counts against its endpoint.
    const endpoint = endpointOf(req.method, req.path);
    res.locals.endpoint = endpointKey(endpoint);
    metrics.begin(endpoint);
    unanswered.add(res);
    if (stopBegun) closeWhenAnswered(res);
    const gone = new AbortController();
    clientSignals.set(req, AbortSignal.any([gone.signal, stopping.signal]));
    res.on('close', () => {
      unanswered.delete(res);
      const aborted = !res.writableFinished;
      if (aborted) gone.abort(new Error('the client closed the connection before the answer'));
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      metrics.observe(endpoint, { status: res.statusCode, durationMs, aborted });
      const line = { requestId, method: req.method, path: req.path, status: aborted ? null : res.statusCode, durationMs, ...correlation(req) };
      if (aborted) logger.warn({ ...line, aborted: true }, 'client closed the connection before the answer');
      else logger.info(line, 'request');
    });
    next();
  });
  if (options.trace) app.use(options.trace(service));

  // Checked before routing: a caller without the secret learns nothing about which routes exist.
  if (options.token) {
    const expected = createHash('sha256').update(options.token).digest();
    app.use((req: Request, _res: Response, next: NextFunction) => {
      const presented = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
      // Equal-length hashes compared in constant time: neither the token nor its length leaks by timing.
      if (req.path === '/ping' || timingSafeEqual(createHash('sha256').update(presented).digest(), expected)) return next();
      const message = 'This service needs its shared secret: send Authorization: Bearer <SERVICE_TOKEN>';
      throw new HttpError(401, 'UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': 'Bearer' } });
    });
  }

  for (const handler of options.before ?? []) app.use(handler);

  // Routing before the body: 404 or 405 (with the methods the path accepts), whatever the body holds.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (routeOf(req.method, req.path)) return next();
    const pattern = patternOf(req.path);
    if (pattern === undefined) throw new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`);
    const allow = routes.flatMap((r) => (r.path !== pattern ? [] : r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])).join(', ');
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; use ${allow}`, { headers: { Allow: allow } });
  });

  // strict: false, so a body of `42` is refused by the route as "not an object" rather than as broken JSON.
  app.use(express.json({ limit: BODY_LIMIT_BYTES, strict: false }));
  // A few KiB of brackets nest deep enough to overflow any recursive code that later walks the body.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (depthOf(req.body) > MAX_BODY_DEPTH) throw new HttpError(400, 'INVALID_BODY', `Request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
    next();
  });

  for (const route of routes) {
    const endpoint = `${route.method} ${route.path}`;
    app[route.method.toLowerCase() as 'get' | 'post' | 'delete'](route.path, async (req: Request, res: Response) => {
      if (!route.mutates) {
        const answer = toAnswer(await route.handle(req.body, req, res));
        if (!res.headersSent) res.status(answer.status).json(answer.body);
        return;
      }
      if (!options.idempotency) throw new Error(`${endpoint} mutates, but the service has no idempotency store`);
      await runMutation(res, endpoint, options.idempotency, faults, () => {
        const result = route.handle(req.body, req, res);
        // The change and its stored answer share one transaction, which an async handler would escape.
        if (result instanceof Promise) throw new Error(`${endpoint} changes state, so its handler must be synchronous`);
        return toAnswer(result);
      });
    });
  }

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.destroyed || res.headersSent) return;
    if (clientGone(req).aborted) {
      // Cut short by the stop: 503; otherwise the client went away and no one is left to answer.
      if (stopping.signal.aborted) res.status(503).set({ 'Retry-After': '1', Connection: 'close' }).json(SHUTTING_DOWN);
      return;
    }
    const httpError = toHttpError(error);
    // A 5xx the service chose (a simulated outage, the fault knob) is an answer, not a fault.
    if (error instanceof HttpError && httpError.status >= 500) {
      logger.info({ requestId: res.locals.requestId, path: req.path, code: httpError.code }, `answered ${httpError.status} ${httpError.code}`);
    } else if (httpError.status >= 500) {
      logger.error({ err: error, requestId: res.locals.requestId, path: req.path }, 'unhandled error');
    }
    res.status(httpError.status).set(httpError.headers).json(httpError.toBody());
  });

  return app;
}

/** Aborted when the client of `req` goes away before its answer, or the service is about to stop. */
export function clientGone(req: Request): AbortSignal {
  return clientSignals.get(req) ?? AbortSignal.abort();
}

/**
 * Once stopping, answers close their connection (no idle keep-alive socket lingers), and a request whose
 * body is still arriving is answered 503 at once: a client trickling its body must not hold the stop.
 */
function closeWhenAnswered(res: Response): void {
  if (res.headersSent) return;
  if (res.req.complete) {
    res.setHeader('Connection', 'close');
    return;
  }
  res.once('finish', () => res.req.socket.destroy());
  res.status(503).set({ 'Retry-After': '1', Connection: 'close' }).json(SHUTTING_DOWN);
}

function toAnswer(result: unknown): StoredAnswer {
  return result instanceof Reply ? { status: result.status, body: result.body } : { status: 200, body: result };
}

/** How deep objects and arrays nest in `value`, walked without recursion (not to overflow). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0 && deepest <= MAX_BODY_DEPTH) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** The activity's headers (workflow, run, activity, attempt), to match a log line to a workflow step. */
function correlation(req: Request): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, header] of Object.entries(CORRELATION_HEADERS)) {
    const value = req.get(header);
    if (value && key !== 'requestId') fields[key] = value.slice(0, 200);
  }
  return fields;
}

/** Maps body-parser failures to their documented answers; anything unexpected is a 500 without details. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === 'entity.parse.failed') return new HttpError(400, 'INVALID_JSON', 'Request body is not valid JSON');
  if (type === 'entity.too.large') return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than the ${BODY_LIMIT_BYTES / 1024} KiB limit`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new HttpError(400, 'INVALID_BODY', 'Request body must be UTF-8 JSON');
  // Other unreadable bodies (a corrupt gzip one, say) are the client's fault too.
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(400, 'INVALID_BODY', 'Request body could not be read');
  return new HttpError(500, 'INTERNAL', 'Internal error; see the service log for this request id');
}

// ---- metrics: prom-client, which GET /metrics shows and GET /status reads ----

/**
 * From this project's latencies: JSON endpoints answer in 1 to 15 ms, the third party waits 300 ms by
 * default, and the top bounds are the callers' timeouts (2 s /ping, 8 s, 25 s the third party).
 */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 8, 25];
const UNMATCHED = 'unmatched';
const OTHER_METHOD = 'other';
type Endpoint = { method: string; route: string };
/** The /status key of an endpoint: "METHOD /pattern", "unmatched" or "unknown-method". */
const endpointKey = ({ method, route }: Endpoint) => (route === UNMATCHED ? UNMATCHED : method === OTHER_METHOD ? 'unknown-method' : `${method} ${route}`);
const QUANTILES = { 0.5: 'p50', 0.9: 'p90', 0.99: 'p99', 1: 'max' } as const;

/** An app's metrics, in a registry of its own: tests run many apps in one process. */
function httpMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const registers = [registry];
  const labelNames = ['method', 'route'];
  const help = 'Requests answered (or abandoned by the client: status "aborted"), by route pattern and status';
  const requests = new Counter({ name: 'http_requests_total', help, labelNames: [...labelNames, 'status'], registers });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the end of its answer, by route pattern and status',
    labelNames: [...labelNames, 'status'],
    buckets: DURATION_BUCKETS_SECONDS,
    registers,
  });
  const latency = new Summary({
    name: 'http_request_latency_seconds',
    help: 'The same time over the last 10 minutes, by route pattern: the percentiles GET /status shows',
    labelNames,
    percentiles: Object.keys(QUANTILES).map(Number),
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests received and not yet answered (or abandoned)', labelNames, registers });
  return {
    contentType: registry.contentType,
    begin: (endpoint: Endpoint) => inFlight.inc(endpoint),
    observe(endpoint: Endpoint, outcome: { status: number; aborted: boolean; durationMs: number }) {
      const labels = { ...endpoint, status: outcome.aborted ? 'aborted' : String(outcome.status) };
      inFlight.dec(endpoint);
      requests.inc(labels);
      duration.observe(labels, outcome.durationMs / 1000);
      latency.observe(endpoint, outcome.durationMs / 1000);
    },
    /** GET /status's `endpoints`, read from the metrics above; latencies in ms, to 0.1 ms. */
    async snapshot(): Promise<Record<string, EndpointStats>> {
      const stats: Record<string, EndpointStats> = {};
      const of = (labels: Partial<Record<string, string | number>>) => {
        const key = endpointKey({ method: String(labels.method), route: String(labels.route) });
        return (stats[key] ??= { requests: 0, errors: 0, aborted: 0, inFlight: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 } });
      };
      for (const { labels, value } of (await inFlight.get()).values) of(labels).inFlight += value;
      for (const { labels, value } of (await requests.get()).values) {
        const s = of(labels);
        s.requests += value;
        if (labels.status === 'aborted') s.aborted += value;
        else if (Number(labels.status) >= 400) s.errors += value;
      }
      for (const { labels, value } of (await latency.get()).values) {
        const name = QUANTILES[labels.quantile as keyof typeof QUANTILES];
        if (name && Number.isFinite(value)) of(labels).latencyMs[name] = Math.round(value * 10_000) / 10;
      }
      return Object.fromEntries(Object.entries(stats).sort(([a], [b]) => a.localeCompare(b)));
    },
    /** This app's series, then the process's own (CPU, memory, event loop lag, GC), in the text format. */
    text: async () => `${await registry.metrics()}\n${await processRegistry().metrics()}`,
  };
}

let processMetrics: Registry | undefined;

/** The process's metrics, once per process and only once asked for: each collection starts monitors that would pile up. */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
