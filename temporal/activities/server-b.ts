// Server B's activities: one per HTTP operation, typed by and checked against Server B's contract.
import { EnrichResponse, ProcessExternalResponse, Publication, PublicationList, ThirdPartyResponse } from '../../server-b/contract.ts';
import { SAGA_STEPS } from '../saga-steps.ts';
import { callService, healthCheck } from './call-service.ts';
import { createdByStep, idempotencyKey } from './idempotency-key.ts';
import type { ServiceClients } from './service-clients.ts';
import type { ServerBActivities } from './types.ts';

/** The simulated third party may take up to 20 s (server-b caps it); allow that plus margin. */
export const THIRD_PARTY_TIMEOUT_MS = 25_000;

export function createServerBActivities(clients: ServiceClients): ServerBActivities {
  const b = clients['server-b'];
  const publication = (id: string) => `/publications/${encodeURIComponent(id)}`;
  return {
    checkHealth: healthCheck(clients),
    processExternal: (request) => callService(b, 'POST', '/process-external', { body: request, response: ProcessExternalResponse }),
    enrichData: (request) => callService(b, 'POST', '/enrich', { body: request, response: EnrichResponse }),
    // The third party fails on purpose, as often as the run's input asks: its 503s and 429s say nothing about
    // Server B itself, so they must not open B's circuit breaker for every other run.
    callThirdParty: (request) =>
      callService(b, 'POST', '/third-party-api', { body: request, timeoutMs: THIRD_PARTY_TIMEOUT_MS, response: ThirdPartyResponse, breaker: false }),
    submitPublication: (request) =>
      callService(b, 'POST', '/publications', { body: request, idempotencyKey: idempotencyKey(SAGA_STEPS.submit), response: Publication }),
    confirmPublication: (id) =>
      callService(b, 'POST', `${publication(id)}/confirm`, { idempotencyKey: idempotencyKey(SAGA_STEPS.confirm), response: Publication }),
    async withdrawSubmittedPublication() {
      const submitted = await createdByStep(b, 'publications', SAGA_STEPS.submit, PublicationList);
      if (!submitted) return { outcome: 'nothing-to-undo', resource: null };
      const withdrawn = await callService(b, 'DELETE', publication(submitted.id), {
        idempotencyKey: idempotencyKey(`undo-${SAGA_STEPS.submit}`),
        response: Publication,
      });
      return { outcome: 'undone', resource: withdrawn };
    },
  };
}
