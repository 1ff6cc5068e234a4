// Reading query-string parameters with the same clear 400s as body fields, and path parameters.
import type { Request } from 'express';
import { HttpError } from './http-error.ts';

/** The `:name` segment of the route's path, e.g. param(req, 'id') on /records/:id. */
export function param(req: Request, name: string): string {
  return String(req.params[name]);
}

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
