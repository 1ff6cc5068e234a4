// Starts the real Server A and Server B on 127.0.0.1 with ephemeral ports, for tests, optionally
// behind a test middleware that holds or records requests (a gate, a recorder), on a database file of
// the test's choosing (in memory by default) and with a fault plan.
import { Writable } from 'node:stream';
import express, { type RequestHandler } from 'express';
import { createServerAApp, type ServerAOptions } from '../../server-a/app.ts';
import { createServerBApp, type ServerBOptions } from '../../server-b/app.ts';
import type { StatusResponse } from '../../shared/contract.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { listen, type RunningService } from '../../shared/service/serve.ts';
import { traceRequests } from '../../shared/service/trace-requests.ts';

export const HOST = '127.0.0.1';

export function silentLogger(): Logger {
  return createLogger('test', 'silent');
}

/** A logger whose JSON lines the test can read back. */
export function capturingLogger(name = 'test'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger(name, 'info', sink), lines: () => lines };
}

interface CommonOptions {
  logger?: Logger;
  port?: number;
  /** Runs before the service's own handling of every request. */
  before?: RequestHandler;
  /** SQLite file of the service's state; in memory when absent. */
  database?: string;
  faults?: ServerAOptions['faults'];
  /** The shared secret the service requires (SERVICE_TOKEN). */
  token?: string;
}

/** The options both apps take alike, without keys whose value is undefined; traced like a real start with traces on. */
function storeOptions(options: CommonOptions): ServerAOptions {
  return {
    trace: traceRequests,
    ...(options.database !== undefined && { database: options.database }),
    ...(options.faults && { faults: options.faults }),
    ...(options.token && { token: options.token }),
  };
}

function withBefore(app: express.Express, before: RequestHandler | undefined): express.Express {
  if (!before) return app;
  const outer = express();
  outer.use(before);
  outer.use(app);
  return outer;
}

export function startServerA(options: CommonOptions = {}): Promise<RunningService> {
  return listen(withBefore(createServerAApp(options.logger ?? silentLogger(), storeOptions(options)), options.before), HOST, options.port ?? 0);
}

export function startServerB(
  options: CommonOptions & { thirdParty?: Partial<ServerBOptions['thirdParty']>; random?: () => number; maxThirdPartyInFlight?: number } = {},
): Promise<RunningService> {
  const thirdParty = { latencyMs: 0, failureRate: 0, ...options.thirdParty };
  const app = createServerBApp(options.logger ?? silentLogger(), {
    thirdParty,
    ...(options.random ? { random: options.random } : {}),
    ...(options.maxThirdPartyInFlight !== undefined ? { maxThirdPartyInFlight: options.maxThirdPartyInFlight } : {}),
    ...storeOptions(options),
  });
  return listen(withBefore(app, options.before), HOST, options.port ?? 0);
}

/** Holds every request to `path` (exactly, or any path the pattern matches) until release(); `arrived` resolves when the first one comes in. */
export function gate(path: string | RegExp) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const middleware: RequestHandler = (req, _res, next) => {
    if (typeof path === 'string' ? req.path !== path : !path.test(req.path)) return next();
    reached();
    void released.then(() => next());
  };
  return { middleware, arrived, release };
}

/** Records when each request to `path` arrived (ms since the epoch), in order. */
export function recorder(path: string) {
  const arrivals: number[] = [];
  const middleware: RequestHandler = (req, _res, next) => {
    if (req.path === path) arrivals.push(Date.now());
    next();
  };
  return { middleware, arrivals };
}

export async function statusOf(service: RunningService): Promise<StatusResponse> {
  return (await (await fetch(`${service.url}/status`)).json()) as StatusResponse;
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when there is none). */
  body: T;
}

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** The Idempotency-Key header. */
  key?: string;
  headers?: Record<string, string>;
}

/** One request to a service, its JSON answer read in full. */
export async function call<T = unknown>(service: { url: string }, method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}
