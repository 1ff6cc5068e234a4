// The console's sign-in: POST /session checks a token and keeps it in an HttpOnly, SameSite=Strict cookie
// (the page's scripts never see it); GET /session says who is signed in; DELETE /session signs out.
import type { Response } from 'express';
import { type Route, Reply } from '../../shared/service/create-app.ts';
import { HttpError, parseRequest } from '../../shared/service/http-error.ts';
import { type Session, SignInRequest } from '../contract.ts';
import { identityOf, SESSION_COOKIE } from './guard.ts';
import type { Identities, Identity } from './identities.ts';

/** A console session lasts a working day; then the person signs in again. */
const SESSION_MS = 12 * 60 * 60 * 1000;

/** Where the console links each run: the Temporal Web UI's base URL (null when unknown) and the namespace. */
export type ConsoleLinks = { webUi: string | null; namespace: string };

export function sessionRoutes(identities: Identities, links: ConsoleLinks): Route[] {
  const session = ({ name, roles }: Identity): Session => ({ name, roles: [...roles], ...links });
  return [
    {
      method: 'POST',
      path: '/session',
      handle: (raw, req, res) => {
        const { token } = parseRequest(SignInRequest, raw);
        const identity = identities.find(token);
        if (!identity) throw new HttpError(401, 'UNAUTHORIZED', 'The token is not one this API knows (revoked, or mistyped)', { field: 'token' });
        res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: SESSION_MS });
        return session(identity);
      },
    },
    { method: 'GET', path: '/session', handle: (_raw, _req, res) => session(identityOf(res)) },
    {
      method: 'DELETE',
      path: '/session',
      handle: (_raw, _req, res: Response) => {
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        return new Reply(200, { signedOut: true });
      },
    },
  ];
}
