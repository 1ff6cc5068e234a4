// Reading query-string parameters with the same clear 400s as body fields.
import type { Request } from 'express';
import { HttpError } from './http-error.ts';

export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new HttpError(400, 'INVALID_FIELD', `query parameter "${name}" must be given once, as a non-empty string`, { field: name });
  }
  return value;
}

export function queryOneOf<T extends string>(req: Request, name: string, allowed: readonly T[]): T | undefined {
  const value = queryString(req, name);
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new HttpError(400, 'INVALID_FIELD', `query parameter "${name}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { field: name });
  }
  return value as T;
}
