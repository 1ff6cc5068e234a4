// What Node's HTTP layer does before Express sees a request: its time limits, and its answers to
// requests it cannot parse (a bad or duplicate Content-Length, bad header bytes, headers too large, a
// client that stalls). By default those answers have an empty body and no request id; here they get
// the same JSON error shape and X-Request-Id as every other answer of the services.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { nanoid } from 'nanoid';
import type { ErrorBody, ErrorCode } from '../api.ts';

export interface HttpLimits {
  /** Until the request's headers are in; a client that stalls them is answered 408 and dropped. */
  headersTimeoutMs: number;
  /** Until the whole request (headers and body) is in. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; past it, new ones are refused by the kernel's backlog. */
  maxConnections: number;
  /** How often Node looks for requests past their time limits (its default, 30 s, lets a stall last that long). */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_024,
  checkIntervalMs: 1_000,
};

/** The options that must be given when the server is created. */
export function serverOptions(limits: HttpLimits = DEFAULT_HTTP_LIMITS) {
  return { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs };
}

const ANSWERS: Record<string, { status: number; reason: string; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'INVALID_BODY', message: 'Request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'INVALID_BODY', message: 'The request did not arrive in time' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'INVALID_BODY' as ErrorCode, message: 'Malformed HTTP request' };

/** The limits that can be set on a created server, and JSON answers for what Node's parser refuses. */
export function applyHttpLimits(server: Server, limits: HttpLimits = DEFAULT_HTTP_LIMITS): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset by the client has no one left to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = ANSWERS[error.code ?? ''] ?? MALFORMED;
    const body: ErrorBody = { error: { code: answer.code, message: answer.message } };
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nX-Request-Id: ${nanoid()}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
  // An Expect other than 100-continue: answer 417 in the same JSON shape instead of Node's empty one.
  server.on('checkExpectation', (req, res) => {
    const json = JSON.stringify({ error: { code: 'INVALID_BODY', message: `Expect: ${req.headers.expect} is not supported` } } satisfies ErrorBody);
    res.writeHead(417, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
      'X-Request-Id': nanoid(),
      Connection: 'close',
    });
    res.end(json);
  });
}
