// Server B: external data processing, enrichment, a simulated third-party API, and the publications
// a saga submits, confirms or withdraws, kept in its own SQLite database.
import type { EnrichResponse, ProcessExternalResponse, ThirdPartyResponse } from '../shared/api.ts';
import { MAX_RETRY_AFTER_SECONDS, MAX_THIRD_PARTY_LATENCY_MS } from '../shared/limits.ts';
import type { Logger } from '../shared/logger.ts';
import { BODY_LIMIT_BYTES, clientGone, createServiceApp } from '../shared/service/create-app.ts';
import { bodyObject, HttpError, optionalNumber, optionalOneOf, optionalString, optionalWholeNumber, requireString } from '../shared/service/http-error.ts';
import { IdempotencyStore } from '../shared/service/idempotency.ts';
import type { FaultPlan } from '../shared/service/faults.ts';
import { openDatabase } from '../shared/service/sqlite.ts';
import { VERSION } from '../shared/version.ts';
import { enrich } from './enrich.ts';
import { processExternal } from './process-external.ts';
import { publicationRoutes } from './publications.ts';
import { PublicationStore } from './store.ts';
import { callThirdParty, type ThirdPartySettings } from './third-party.ts';

export interface ServerBOptions {
  thirdParty: ThirdPartySettings;
  random?: () => number;
  /** Third-party calls waiting at once; past it, 503 with Retry-After. Bounds what one client can pin. */
  maxThirdPartyInFlight?: number;
  /** SQLite file of the publications; ':memory:' (the default) lives as long as the process. */
  database?: string;
  faults?: FaultPlan;
  /** Shared secret callers must present (see create-app.ts); none when absent. */
  token?: string | undefined;
}

/** Enough for any real load on this demo; a client that opens and drops thousands of calls meets it. */
export const MAX_THIRD_PARTY_IN_FLIGHT = 256;

export function createServerBApp(logger: Logger, options: ServerBOptions) {
  const maxThirdPartyInFlight = options.maxThirdPartyInFlight ?? MAX_THIRD_PARTY_IN_FLIGHT;
  let thirdPartyInFlight = 0;
  const db = openDatabase(options.database ?? ':memory:');
  const publications = new PublicationStore(db);
  return createServiceApp({
    service: 'server-b',
    version: VERSION,
    logger,
    idempotency: new IdempotencyStore(db),
    token: options.token,
    ...(options.faults && { faults: options.faults }),
    settings: () => ({
      thirdPartyLatencyMs: options.thirdParty.latencyMs,
      thirdPartyFailureRate: options.thirdParty.failureRate,
      maxThirdPartyInFlight,
      bodyLimitBytes: BODY_LIMIT_BYTES,
    }),
    routes: [
      {
        method: 'POST',
        path: '/process-external',
        handle: (raw): ProcessExternalResponse => {
          const body = bodyObject(raw);
          return processExternal(requireString(body, 'data'), optionalString(body, 'contentHash'));
        },
      },
      {
        method: 'POST',
        path: '/enrich',
        handle: (raw): EnrichResponse => {
          const body = bodyObject(raw);
          return enrich(requireString(body, 'data'), optionalString(body, 'reference'));
        },
      },
      {
        method: 'POST',
        path: '/third-party-api',
        handle: (raw, req): Promise<ThirdPartyResponse> => {
          const body = bodyObject(raw);
          const request = {
            query: requireString(body, 'query'),
            latencyMs: optionalWholeNumber(body, 'latencyMs', 0, MAX_THIRD_PARTY_LATENCY_MS),
            failureRate: optionalNumber(body, 'failureRate', 0, 1),
            failureStatus: optionalOneOf(body, 'failureStatus', [429, 503] as const),
            retryAfterSeconds: optionalWholeNumber(body, 'retryAfterSeconds', 0, MAX_RETRY_AFTER_SECONDS),
          };
          if (thirdPartyInFlight >= maxThirdPartyInFlight) {
            throw new HttpError(503, 'SATURATED', `${maxThirdPartyInFlight} third-party calls are already in flight; retry later`, {
              headers: { 'Retry-After': '1' },
            });
          }
          thirdPartyInFlight += 1;
          return callThirdParty(request, options.thirdParty, options.random, clientGone(req)).finally(() => (thirdPartyInFlight -= 1));
        },
      },
      ...publicationRoutes(publications),
    ],
  });
}
