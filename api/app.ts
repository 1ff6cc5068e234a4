// The workflow API: the HTTP service a web app calls to start the project's workflows under its own business
// keys, follow them (JSON or Server-Sent Events), decide their reviews, cancel them and list them, on the
// services' plumbing (shared/service/create-app.ts). openapi.ts describes it, from its schemas (GET /openapi.json).
// Every caller is an identity with roles (auth/); the console (console/) is its pages for people.
import helmet from 'helmet';
import type { Logger } from '../shared/logger.ts';
import { createServiceApp, type Route } from '../shared/service/create-app.ts';
import { parseRequest } from '../shared/service/http-error.ts';
import { describeRun } from '../temporal/runs/describe-run.ts';
import { type AuthLimits, guard, requires } from './auth/guard.ts';
import type { Identities } from './auth/identities.ts';
import { type ConsoleLinks, sessionRoutes } from './auth/session.ts';
import { consoleRouter } from './console/serve.ts';
import { type ApiSettings, KeyParams } from './contract.ts';
import { EVENT_STREAM_DEFAULTS, type EventStreamOptions, eventsRoute } from './events.ts';
import { listRoute } from './list.ts';
import { messageRoutes } from './messages.ts';
import { openapiDocument } from './openapi.ts';
import { startRoute } from './start.ts';
import { type ApiContext, answerFor, notFound } from './temporal-link.ts';

export interface ApiOptions extends ApiContext {
  logger: Logger;
  identities: Identities;
  limits: AuthLimits;
  /** Where the console links runs in the Temporal Web UI. */
  webUi: string | null;
  events?: Partial<EventStreamOptions>;
  /** Aborted when the process begins to stop: event streams end at once (an EventSource reconnects) instead of holding the stop up. */
  stopping?: AbortSignal;
}

export function createApiApp(options: ApiOptions) {
  const ctx: ApiContext = options;
  const events = eventsRoute(ctx, { ...EVENT_STREAM_DEFAULTS, ...options.events }, options.stopping);
  const links: ConsoleLinks = { webUi: options.webUi, namespace: options.namespace };
  const routes: Route[] = [
    ...sessionRoutes(options.identities, links),
    { method: 'GET', path: '/openapi.json', handle: () => openapiDocument },
    listRoute(ctx),
    {
      method: 'GET',
      path: '/workflows/:key',
      handle: async (_raw, req) => {
        const { key } = parseRequest(KeyParams, req.params, 'path');
        return (await describeRun(ctx.temporal.client(), key)) ?? notFound(ctx.namespace, key);
      },
    },
    events.route,
    // Before the start route: POST /workflows/{key}/approve is the action on a run, not the start of a run keyed "approve".
    ...messageRoutes(ctx),
    requires('operator', startRoute(ctx)),
  ];
  return createServiceApp({
    service: 'api',
    logger: options.logger,
    routes: routes.map((route) => answeringTemporalFailures(route, ctx.namespace)),
    // Security headers on every answer. The Content-Security-Policy allows no inline script or style, and does not
    // upgrade requests to https: the API serves plain http on loopback unless a TLS proxy stands in front of it.
    before: [
      helmet({ contentSecurityPolicy: { directives: { 'style-src': ["'self'"], 'upgrade-insecure-requests': null } } }),
      consoleRouter(),
      ...guard(options.identities, options.limits),
    ],
    settings: (): ApiSettings => ({
      temporal: options.temporal.state(),
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      openEventStreams: events.openStreams(),
    }),
  });
}

/** Temporal out of reach answers 503 on every route, from one place. */
function answeringTemporalFailures(route: Route, namespace: string): Route {
  return {
    ...route,
    handle: async (body, req, res) => {
      try {
        return await route.handle(body, req, res);
      } catch (error) {
        throw answerFor(error, namespace);
      }
    },
  };
}
