// Starting a service and stopping it gracefully (stop accepting, let requests in flight finish, exit), and
// Node's HTTP layer before Express: its time limits, and JSON answers to requests it cannot parse.
import { once } from 'node:events';
import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { nanoid } from 'nanoid';
import type { ErrorBody, ServiceName } from '../contract.ts';
import { createLogger, type Logger } from '../logger.ts';
import { fromProjectRoot } from '../paths.ts';
import { loadServiceConfig, orExit, type ServiceConfig } from '../service-config.ts';
import type { ServiceOptions } from './create-app.ts';

/** How long in-flight requests get to finish after a stop was requested. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Node's HTTP limits, as its createServer options (ms): a client that stalls its headers or body is answered 408 and dropped. */
const HTTP_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  /** Short, so idle sockets cannot hold a stop open for long. */
  keepAliveTimeout: 5_000,
  /** How often Node looks for stalled requests (its default, 30 s, lets a stall last that long). */
  connectionsCheckingInterval: 1_000,
};
export type HttpLimits = typeof HTTP_LIMITS;
const MAX_CONNECTIONS = 1_024;

/** What Node's parser refuses, by error code, as [status, message]; anything else is a 400. */
const NODE_REFUSALS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request did not arrive in time'],
};

/** A JSON refusal of a request Express never sees; the connection closes after it. */
function refusal(message: string) {
  const json = JSON.stringify({ error: { code: 'INVALID_BODY', message } } satisfies ErrorBody);
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'X-Request-Id': nanoid(),
    Connection: 'close',
  };
  return { headers, json };
}

/** Serves `app`: its `url` is e.g. http://127.0.0.1:3001; `close` resolves true when every request finished, false when the grace time ran out. */
export async function listen(app: express.Express, host: string, port: number, limits: Partial<HttpLimits> = {}) {
  const server = createServer({ ...HTTP_LIMITS, ...limits }, app);
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // A connection reset by the client has no one left to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const [status, message] = NODE_REFUSALS[error.code ?? ''] ?? [400, 'Malformed HTTP request'];
    const { headers, json } = refusal(message);
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${json}`);
  });
  // An Expect other than 100-continue: answer 417 in the same JSON shape instead of Node's empty one.
  server.on('checkExpectation', (req, res) => {
    const { headers, json } = refusal(`Expect: ${req.headers.expect} is not supported`);
    res.writeHead(417, headers).end(json);
  });
  server.listen(port, host);
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<boolean> | undefined;
  const close = (graceMs = SHUTDOWN_GRACE_MS) =>
    (closing ??= new Promise<boolean>((resolve) => {
      // Tells an app made by createServiceApp to close answered connections and cut long waits short in time.
      app.emit('stopping', graceMs);
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, graceMs);
      // close() stops accepting and calls back once in-flight requests are done; idle sockets go now.
      server.close(() => {
        clearTimeout(timer);
        resolve(true);
      });
      server.closeIdleConnections();
    }));
  return { server, port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, close };
}
export type RunningService = Awaited<ReturnType<typeof listen>>;

/** For an entry point: listen, then on SIGINT/SIGTERM stop gracefully, run `onStopped` (send the last spans) and exit 0 (1 when the grace time ran out). */
export async function runUntilSignal(app: express.Express, host: string, port: number, logger: Logger, onStopped?: () => Promise<void>): Promise<void> {
  const running = await listen(app, host, port).catch((error: NodeJS.ErrnoException) => {
    const hint = error.code === 'EADDRINUSE' ? `port ${port} is already in use (see docs/troubleshooting.md)` : String(error);
    logger.fatal({ host, port, code: error.code }, `cannot listen: ${hint}`);
    return process.exit(1);
  });
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // Ctrl-C reaches the whole process group and `concurrently` forwards it too: a repeat must not cut the stop short.
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'stopping: no new connections, finishing requests in flight');
    const clean = await running.close();
    if (clean) logger.info('stopped');
    else logger.warn('grace time ran out; remaining connections were closed');
    await onStopped?.();
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Only now: whoever waits for this line may send a signal at once.
  logger.info({ url: running.url, port: running.port, pid: process.pid }, 'listening');
}

/** What every service's app is built with; `database`: ':memory:' when absent. */
export type ServiceAppOptions = Pick<ServiceOptions, 'token' | 'faults' | 'trace'> & { database?: string };

/** A service's index.ts: its configuration, logger and tracing, its app, served until SIGINT/SIGTERM. */
export async function runService(
  service: ServiceName,
  build: (logger: Logger, options: ServiceAppOptions, config: ServiceConfig) => express.Express,
): Promise<void> {
  const config = orExit(loadServiceConfig);
  const logger = createLogger(service, config.logLevel, config.logFormat);
  const { port, database } = service === 'server-a' ? config.serverA : config.serverB;
  const { traces } = config;
  // Tracing is loaded only when it is on: its SDK slows every start.
  const tracing = traces.console || traces.file || traces.otlpEndpoint ? (await import('../tracing/setup.ts')).startTracing(service, traces) : undefined;
  const trace = tracing && (await import('./trace-requests.ts')).traceRequests;
  const options = { database: fromProjectRoot(database), token: config.serviceToken, faults: config.faults, ...(trace && { trace }) };
  let app: express.Express;
  try {
    app = build(logger, options, config);
  } catch (error) {
    const variable = service === 'server-a' ? 'SERVER_A_DB' : 'SERVER_B_DB';
    const reason = (error as Error).message.split('\n')[0];
    logger.fatal({ code: (error as NodeJS.ErrnoException).code }, `cannot start: the database ${options.database} (${variable}): ${reason}`);
    process.exit(1);
  }
  await runUntilSignal(app, config.serviceHost, port, logger, tracing?.shutdown);
}
