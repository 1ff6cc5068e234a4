// Errors a handler throws to answer with a specific status, and the helpers that read a JSON body
// field by field so a bad request is answered with a 400 that names the field.
import type { ErrorBody, ErrorCode, Metadata } from '../api.ts';

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
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed body, which must be a JSON object. */
export function bodyObject(body: unknown): JsonObject {
  if (!isPlainObject(body)) {
    throw new HttpError(400, 'INVALID_BODY', 'Request body must be a JSON object sent with Content-Type: application/json');
  }
  return body;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

export function requireString(body: JsonObject, field: string): string {
  const value = body[field];
  if (value === undefined) throw new HttpError(400, 'MISSING_FIELD', `"${field}" is required`, { field });
  if (typeof value !== 'string') {
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be a string, got ${typeName(value)}`, { field });
  }
  return value;
}

export function optionalString(body: JsonObject, field: string): string | undefined {
  return body[field] === undefined ? undefined : requireString(body, field);
}

export function optionalMetadata(body: JsonObject, field = 'metadata'): Metadata | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be an object, got ${typeName(value)}`, { field });
  }
  return value;
}

export function optionalNumber(body: JsonObject, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value;
}

/** A whole number from min to max (a Retry-After or a delay in ms, where a fraction means nothing HTTP allows). */
export function optionalWholeNumber(body: JsonObject, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value as number;
}

export function optionalOneOf<T extends string | number>(body: JsonObject, field: string, allowed: readonly T[]): T | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new HttpError(400, 'INVALID_FIELD', `"${field}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value as T;
}
