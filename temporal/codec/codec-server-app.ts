// The remote codec endpoint the Temporal Web UI and the `temporal` CLI call to show decrypted payloads:
// POST /decode and /encode take and return { payloads: [{ metadata: { key: base64 }, data: base64 }] }.
// Only the Web UI origins named are allowed by CORS, and with an auth value set, only callers that
// present it (Authorization header, compared in constant time) can decrypt.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ErrorBody, ErrorCode } from '../../shared/api.ts';
import type { Logger } from '../../shared/logger.ts';

/** A page of history rarely holds more than a few hundred payloads of up to 2 MB each (Temporal's own limit). */
export const CODEC_BODY_LIMIT = '16mb';
export const MAX_PAYLOADS = 1_000;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins of the Web UIs allowed to call (e.g. http://localhost:8233). */
  allowedOrigins: readonly string[];
  /** Exact Authorization header value callers must send; anyone on the network may decrypt when absent. */
  auth: string | undefined;
  logger: Logger;
}

class CodecRequestError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(status: number, code: ErrorCode, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createCodecServerApp(options: CodecServerOptions): express.Express {
  const { codec, logger } = options;
  const allowed = new Set(options.allowedOrigins);
  const expected = options.auth === undefined ? undefined : digest(options.auth);
  const app = express();
  app.disable('x-powered-by');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS') {
      res.status(origin && allowed.has(origin) ? 204 : 403).end();
      return;
    }
    next();
  });

  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (expected === undefined) return next();
    // Hashing first gives both sides the same length, so the comparison itself says nothing about the value.
    if (!timingSafeEqual(digest(req.get('authorization') ?? ''), expected)) {
      return next(new CodecRequestError(401, 'UNAUTHORIZED', 'This codec server requires the configured Authorization header'));
    }
    next();
  });

  app.use(express.json({ limit: CODEC_BODY_LIMIT }));

  for (const direction of ['encode', 'decode'] as const) {
    app.post(`/${direction}`, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const payloads = readPayloads(req.body);
        const result = await (direction === 'encode' ? codec.encode(payloads) : codec.decode(payloads));
        res.json({ payloads: result.map(toJson) });
      } catch (error) {
        next(error);
      }
    });
  }

  app.use((req: Request, _res: Response, next: NextFunction) => {
    const known = req.path === '/encode' || req.path === '/decode';
    next(new CodecRequestError(known ? 405 : 404, known ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', `No ${req.method} ${req.path} here: POST /encode or /decode`));
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = asRequestError(error);
    if (known.status >= 500) logger.error({ err: error, path: req.path }, 'codec request failed');
    const body: ErrorBody = { error: { code: known.code, message: known.message, ...(known.field ? { field: known.field } : {}) } };
    res.status(known.status).json(body);
  });
  return app;
}

function asRequestError(error: unknown): CodecRequestError {
  if (error instanceof CodecRequestError) return error;
  const status = (error as { status?: unknown; type?: unknown }).status;
  if (status === 413) return new CodecRequestError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${CODEC_BODY_LIMIT}`);
  if (status === 400) return new CodecRequestError(400, 'INVALID_JSON', 'Request body is not valid JSON');
  // A codec refusing a payload (unknown key id, failed authentication) is the caller's data, not a server fault.
  if (error instanceof Error && error.name === 'ValueError') return new CodecRequestError(422, 'INVALID_FIELD', error.message, 'payloads');
  return new CodecRequestError(500, 'INTERNAL', 'The codec failed; see the codec server log');
}

function readPayloads(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (typeof body !== 'object' || body === null || !Array.isArray(list)) {
    throw new CodecRequestError(400, 'INVALID_BODY', 'Body must be { "payloads": [...] }', 'payloads');
  }
  if (list.length > MAX_PAYLOADS) throw new CodecRequestError(400, 'INVALID_FIELD', `At most ${MAX_PAYLOADS} payloads per request`, 'payloads');
  return list.map((item: unknown, i) => {
    const field = `payloads[${i}]`;
    const { metadata = {}, data = '' } = (item ?? {}) as { metadata?: unknown; data?: unknown };
    if (typeof item !== 'object' || item === null || typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new CodecRequestError(400, 'INVALID_FIELD', 'Each payload must be { metadata: { key: base64 }, data: base64 }', field);
    }
    const decoded: Record<string, Uint8Array> = {};
    for (const [key, value] of Object.entries(metadata)) decoded[key] = base64(value, `${field}.metadata.${key}`);
    return { metadata: decoded, data: base64(data, `${field}.data`) };
  });
}

function base64(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new CodecRequestError(400, 'INVALID_FIELD', 'Must be a base64 string', field);
  }
  return Buffer.from(value, 'base64');
}

function toJson(payload: Payload) {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}
