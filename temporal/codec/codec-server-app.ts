// The remote codec endpoint the Temporal Web UI and the `temporal` CLI call to show decrypted payloads:
// POST /decode and /encode take and return { payloads: [{ metadata: { key: base64 }, data: base64 }] }.
// Only the Web UI origins named are allowed by CORS, and with an auth value set, only callers that
// present it (Authorization header, compared in constant time) can decrypt.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../shared/logger.ts';
import { HttpError, parseRequest } from '../../shared/service/http-error.ts';

/** A page of history rarely holds more than a few hundred payloads of up to 2 MB each (Temporal's own limit). */
export const CODEC_BODY_LIMIT = '16mb';
export const MAX_PAYLOADS = 1_000;

const Base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be a base64 string' })
  .transform((text) => new Uint8Array(Buffer.from(text, 'base64')));
/** The Web UI's payload format; an absent field is empty, as the UI sends it. */
const CodecRequest = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), Base64).prefault({}), data: Base64.prefault('') }))
    .max(MAX_PAYLOADS, { error: `must hold at most ${MAX_PAYLOADS} payloads per request` }),
});

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins of the Web UIs allowed to call (e.g. http://localhost:8233). */
  allowedOrigins: readonly string[];
  /** Exact Authorization header value callers must send; anyone on the network may decrypt when absent. */
  auth: string | undefined;
  logger: Logger;
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
    if (req.method === 'OPTIONS') return void res.status(origin && allowed.has(origin) ? 204 : 403).end();
    // Hashing first gives both sides the same length, so the comparison itself says nothing about the value.
    if (expected !== undefined && !timingSafeEqual(digest(req.get('authorization') ?? ''), expected)) {
      return next(new HttpError(401, 'UNAUTHORIZED', 'This codec server requires the configured Authorization header'));
    }
    next();
  });

  app.use(express.json({ limit: CODEC_BODY_LIMIT }));

  for (const direction of ['encode', 'decode'] as const) {
    app.post(`/${direction}`, async (req: Request, res: Response) => {
      const { payloads } = parseRequest(CodecRequest, req.body);
      const result = await (direction === 'encode' ? codec.encode(payloads) : codec.decode(payloads));
      res.json({ payloads: result.map(toJson) });
    });
  }

  app.use((req: Request, _res: Response, next: NextFunction) => {
    const known = req.path === '/encode' || req.path === '/decode';
    next(new HttpError(known ? 405 : 404, known ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', `No ${req.method} ${req.path} here: POST /encode or /decode`));
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = asHttpError(error);
    if (known.status >= 500) logger.error({ err: error, path: req.path }, 'codec request failed');
    res.status(known.status).json(known.toBody());
  });
  return app;
}

function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const status = (error as { status?: unknown }).status;
  if (status === 413) return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${CODEC_BODY_LIMIT}`);
  if (status === 400) return new HttpError(400, 'INVALID_JSON', 'Request body is not valid JSON');
  // A codec refusing a payload (unknown key id, failed authentication) is the caller's data, not a server fault.
  if (error instanceof Error && error.name === 'ValueError') return new HttpError(422, 'INVALID_FIELD', error.message, { field: 'payloads' });
  return new HttpError(500, 'INTERNAL', 'The codec failed; see the codec server log');
}

function toJson(payload: Payload) {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}
