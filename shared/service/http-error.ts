// The error a handler throws to answer with a 4xx or 5xx (create-app.ts sends it as the JSON error body), and
// parseRequest, which checks a request against its zod schema: one 400 naming every bad field and why.
import type { z } from 'zod';
import { type ErrorBody, type ErrorCode, explain, issuesOf } from '../contract.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, options: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field && { field: this.field }) } };
  }
}

const NOT_AN_OBJECT = 'Request body must be a JSON object sent with Content-Type: application/json';
const LABEL = { body: '', query: 'query parameter ', path: 'path parameter ' } as const;

/** The parsed value, or a 400: MISSING_FIELD when the first problem is an absent field, INVALID_FIELD otherwise. */
export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'path' = 'body'): T {
  const result = schema.safeParse(value, { error: explain, reportInput: true });
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const [first] = issues;
  if (!first || first.field === '') throw new HttpError(400, 'INVALID_BODY', where === 'body' ? NOT_AN_OBJECT : (first?.message ?? 'invalid'));
  const message = issues.map((issue) => `${LABEL[where]}"${issue.field}" ${issue.message}`).join('; ');
  // Absent is told by the value, not the words: a field's own error message replaces explain's "is required".
  const absent = result.error.issues[0]!.input === undefined;
  throw new HttpError(400, absent ? 'MISSING_FIELD' : 'INVALID_FIELD', message, { field: first.field });
}
