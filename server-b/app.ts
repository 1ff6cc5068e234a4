// Server B: external data processing, enrichment, a simulated third-party API, and the publications
// a saga submits, confirms or withdraws, kept in its own SQLite database.
import type { EnrichResponse, ProcessExternalResponse, ThirdPartyResponse } from '../shared/api.ts';
import { MAX_RETRY_AFTER_SECONDS, MAX_THIRD_PARTY_LATENCY_MS } from '../shared/limits.ts';
import type { Logger } from '../shared/logger.ts';
import { BODY_LIMIT_BYTES, createServiceApp } from '../shared/service/create-app.ts';
import { bodyObject, optionalNumber, optionalOneOf, optionalString, requireString } from '../shared/service/http-error.ts';
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
  /** SQLite file of the publications; ':memory:' (the default) lives as long as the process. */
  database?: string;
  faults?: FaultPlan;
}

export function createServerBApp(logger: Logger, options: ServerBOptions) {
  const db = openDatabase(options.database ?? ':memory:');
  const publications = new PublicationStore(db);
  return createServiceApp({
    service: 'server-b',
    version: VERSION,
    logger,
    idempotency: new IdempotencyStore(db),
    ...(options.faults && { faults: options.faults }),
    settings: () => ({
      thirdPartyLatencyMs: options.thirdParty.latencyMs,
      thirdPartyFailureRate: options.thirdParty.failureRate,
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
        handle: (raw): Promise<ThirdPartyResponse> => {
          const body = bodyObject(raw);
          const request = {
            query: requireString(body, 'query'),
            latencyMs: optionalNumber(body, 'latencyMs', 0, MAX_THIRD_PARTY_LATENCY_MS),
            failureRate: optionalNumber(body, 'failureRate', 0, 1),
            failureStatus: optionalOneOf(body, 'failureStatus', [429, 503] as const),
            retryAfterSeconds: optionalNumber(body, 'retryAfterSeconds', 0, MAX_RETRY_AFTER_SECONDS),
          };
          return callThirdParty(request, options.thirdParty, options.random);
        },
      },
      ...publicationRoutes(publications),
    ],
  });
}
