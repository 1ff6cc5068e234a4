// Who is calling, checked before any route runs: a bearer token, or the console's session cookie holding one.
// 401 without a known token (and, from one address, 429 after too many of those); 403 when the caller lacks
// the route's role, or when a cookie-signed change comes from another origin; starts are limited per identity.
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Route } from '../../shared/service/create-app.ts';
import { HttpError } from '../../shared/service/http-error.ts';
import type { Identities, Identity, Role } from './identities.ts';

export const SESSION_COOKIE = 'workflow_api_session';

export interface AuthLimits {
  /** Requests answered 401 from one address per minute before it is refused (429) for the rest of the minute. */
  failuresPerMinute: number;
  /** Runs one identity may start per minute. */
  startsPerMinute: number;
}

/** Routes reachable without a token: liveness, and signing in (which takes the token in its body). */
const isPublic = (req: Request) => req.path === '/ping' || (req.path === '/session' && req.method === 'POST');
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MESSAGE_ACTIONS = new Set(['approve', 'reject', 'cancel']);
/** Both limits: a minute's window, told in the standard RateLimit headers. */
const PER_MINUTE = { windowMs: 60_000, standardHeaders: 'draft-8', legacyHeaders: false } as const;

/** The identity the guard recognised for this request. */
export function identityOf(res: Response): Identity {
  return res.locals.identity as Identity;
}

export function guard(identities: Identities, limits: AuthLimits): RequestHandler[] {
  const failures = rateLimit({
    ...PER_MINUTE,
    limit: limits.failuresPerMinute,
    // Only refusals count: a request with a known token is not counted at all (not even while it runs: an event
    // stream may last minutes and end without a finished answer), and a sign-in only when it is refused.
    skip: (req) => {
      const token = tokenOf(req);
      return token !== undefined && identities.find(token) !== undefined;
    },
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (_req, res, next) => next(tooMany(res, 'requests with a missing or unknown token from this address')),
  });
  const starts = rateLimit({
    ...PER_MINUTE,
    limit: limits.startsPerMinute,
    keyGenerator: (_req, res) => identityOf(res).name,
    // POST /workflows/{key}/approve matches the start route's pattern too: only starts count.
    skip: (req) => req.method !== 'POST' || !/^\/workflows\/[^/]+\/[^/]+$/.test(req.path) || MESSAGE_ACTIONS.has(req.path.split('/')[3] ?? ''),
    handler: (_req, res, next) => next(tooMany(res, `runs started by ${identityOf(res).name}`)),
  });
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    if (isPublic(req)) {
      if (req.method === 'POST') sameOrigin(req, 'sign in');
      return next();
    }
    const token = tokenOf(req);
    const cookie = bearerOf(req) === undefined ? token : undefined;
    const identity = token === undefined ? undefined : identities.find(token);
    if (!identity) {
      const message =
        token === undefined
          ? 'Sign in: send Authorization: Bearer <token>, or sign in at /console/ (npm run token makes a token)'
          : 'The token is not one this API knows (revoked, or mistyped): sign in again with a valid one';
      throw new HttpError(401, 'UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    // A cookie is sent by the browser whoever asks: a change it signs must come from the console's own pages.
    if (cookie !== undefined && !SAFE_METHODS.has(req.method)) sameOrigin(req, `${req.method} ${req.path}`);
    res.locals.identity = identity;
    next();
  };
  return [cookieParser(), failures, authenticate, starts];
}

/** The route, answered only for callers with `role`; every identity may read. */
export function requires(role: Role, route: Route): Route {
  return {
    ...route,
    handle: (body, req, res) => {
      const { name, roles } = identityOf(res);
      if (!roles.includes(role)) {
        throw new HttpError(403, 'FORBIDDEN', `${name} may not ${route.method} ${req.path}: that needs the ${role} role, and ${name} has ${roles.join(', ')}`);
      }
      return route.handle(body, req, res);
    },
  };
}

const bearerOf = (req: Request) => /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];

/** The token a request carries: its bearer token, else the console's session cookie. */
function tokenOf(req: Request): string | undefined {
  return bearerOf(req) ?? (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE];
}

/** Refuses a browser request sent from a page of another origin (another port of localhost included). */
function sameOrigin(req: Request, what: string): void {
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  const own = `${req.protocol}://${req.get('host')}`;
  if (site === undefined && origin === undefined) return;
  if (site === 'same-origin' || (site === undefined && origin === own)) return;
  throw new HttpError(403, 'FORBIDDEN', `Refused to ${what} from another site (${origin ?? site}): use the console at ${own}/console/`);
}

function tooMany(res: Response, what: string): HttpError {
  return new HttpError(429, 'RATE_LIMITED', `Too many ${what}; retry after ${String(res.getHeader('Retry-After'))} s`);
}
