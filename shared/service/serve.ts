// Starting a service on a port and stopping it gracefully: stop accepting connections, let the
// requests in flight finish, then resolve. Entry points wire this to SIGINT/SIGTERM.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { Logger } from '../logger.ts';
import { beginStopping } from './create-app.ts';
import { applyHttpLimits, DEFAULT_HTTP_LIMITS, type HttpLimits, serverOptions } from './http-limits.ts';

/** How long in-flight requests get to finish after a stop was requested. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningService {
  server: Server;
  port: number;
  /** Base URL on the bound host and port, e.g. http://127.0.0.1:3001. */
  url: string;
  /** Resolves true when every request finished, false when the grace time ran out. */
  close: (graceMs?: number) => Promise<boolean>;
}

export async function listen(app: express.Express, host: string, port: number, limits: HttpLimits = DEFAULT_HTTP_LIMITS): Promise<RunningService> {
  const server = createServer(serverOptions(limits), app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Its keep-alive limit also keeps idle sockets from holding a graceful shutdown open for long.
  applyHttpLimits(server, limits);
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const unanswered = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  let closing: Promise<boolean> | undefined;
  const close = (graceMs = SHUTDOWN_GRACE_MS) => {
    closing ??= new Promise<boolean>((resolve) => {
      // Long waits (a slow third-party call) answer 503 before the grace time ends rather than outlive it.
      beginStopping(app, graceMs);
      // Answers still to come close their connection, so it cannot linger as an idle keep-alive socket.
      for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, graceMs);
      // close() stops accepting, drops idle keep-alive sockets, and calls back once in-flight requests are done.
      server.close(() => {
        clearTimeout(timer);
        resolve(true);
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { server, port: bound, url: `http://${urlHost}:${bound}`, close };
}

/**
 * For a service's index.ts: listen, log where, and exit 0 after a graceful stop on SIGINT/SIGTERM.
 * `onStopped` runs between the stop and the exit (the spans still in a batch are sent then).
 */
export async function runUntilSignal(app: express.Express, host: string, port: number, logger: Logger, onStopped?: () => Promise<void>): Promise<void> {
  let running: RunningService;
  try {
    running = await listen(app, host, port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? `port ${port} is already in use (see "Ports in use" in the README)` : String(error);
    logger.fatal({ host, port, code }, `cannot listen: ${hint}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // Ctrl-C reaches every process of the terminal's group and `concurrently` forwards it too, so the
    // same stop often arrives twice: a repeat must not cut the graceful stop short (the grace time bounds it).
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

/** For a service's index.ts: builds the app, or says what is wrong (a database file that cannot be opened) and exits 1. */
export function buildOrExit<T>(build: () => T, logger: Logger, what: string): T {
  try {
    return build();
  } catch (error) {
    logger.fatal({ code: (error as NodeJS.ErrnoException).code }, `cannot start: ${what}: ${(error as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
}
