// The workflow API: the HTTP service a web app calls to start the project's workflows under its own
// business keys, follow them (JSON or Server-Sent Events), decide their reviews, cancel them and list
// them. It is built on the services' plumbing (shared/service/create-app.ts): the same request ids,
// logs, metrics, /ping, /status and JSON errors. openapi.json describes it (GET /openapi.json).
import type { Logger } from '../shared/logger.ts';
import { createServiceApp, type Route } from '../shared/service/create-app.ts';
import { VERSION } from '../shared/version.ts';
import type { ApiContext } from './context.ts';
import { describeRoute } from './describe.ts';
import { EVENT_STREAM_DEFAULTS, type EventStreamOptions, eventsRoute } from './events.ts';
import { listRoute } from './list.ts';
import { messageRoutes } from './messages.ts';
import openapi from './openapi.json' with { type: 'json' };
import { startRoute } from './start.ts';
import { answerFor } from './temporal-calls.ts';
import type { TemporalLink } from './temporal-link.ts';

export interface ApiOptions {
  logger: Logger;
  temporal: TemporalLink;
  namespace: string;
  taskQueue: string;
  events?: Partial<EventStreamOptions>;
  /** Aborted when the process begins to stop: event streams end at once (an EventSource reconnects) instead of holding the stop up. */
  stopping?: AbortSignal;
}

export function createApiApp(options: ApiOptions) {
  const ctx: ApiContext = { temporal: options.temporal, namespace: options.namespace, taskQueue: options.taskQueue };
  const events = eventsRoute(ctx, { ...EVENT_STREAM_DEFAULTS, ...options.events }, options.stopping);
  const routes: Route[] = [
    { method: 'GET', path: '/openapi.json', handle: () => openapi },
    listRoute(ctx),
    describeRoute(ctx),
    events.route,
    // Before the start route: POST /workflows/{key}/approve is the action on a run, not the start of a run keyed "approve".
    ...messageRoutes(ctx),
    startRoute(ctx),
  ];
  return createServiceApp({
    service: 'api',
    version: VERSION,
    logger: options.logger,
    routes: routes.map((route) => answeringTemporalFailures(route, ctx)),
    settings: () => ({
      temporal: options.temporal.state(),
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      openEventStreams: events.openStreams(),
    }),
  });
}

/** Temporal out of reach answers 503 on every route, from one place. */
function answeringTemporalFailures(route: Route, ctx: ApiContext): Route {
  return {
    ...route,
    handle: async (body, req) => {
      try {
        return await route.handle(body, req);
      } catch (error) {
        throw answerFor(error, ctx.namespace);
      }
    },
  };
}
