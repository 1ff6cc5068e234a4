// The activities: one per remote operation. They are created with the service clients they use,
// so the worker wires in the configured URLs and tests wire in services on ephemeral ports.
import type {
  EnrichRequest,
  EnrichResponse,
  PingResponse,
  ProcessExternalRequest,
  ProcessExternalResponse,
  ProcessInternalRequest,
  ProcessInternalResponse,
  ServiceName,
  ThirdPartyRequest,
  ThirdPartyResponse,
  ValidateRequest,
  ValidateResponse,
} from '../../shared/api.ts';
import { callService } from './call-service.ts';
import { ENRICH_SHAPE, PING_SHAPE, PROCESS_EXTERNAL_SHAPE, PROCESS_INTERNAL_SHAPE, THIRD_PARTY_SHAPE, VALIDATE_SHAPE } from './response-shapes.ts';
import { createSagaActivities } from './saga.ts';
import type { ServiceClients } from './service-clients.ts';

/** A ping answers in milliseconds; two seconds without an answer means the server is not healthy. */
export const PING_TIMEOUT_MS = 2_000;
/** The simulated third party may take up to 20 s (server-b caps it); allow that plus margin. */
export const THIRD_PARTY_TIMEOUT_MS = 25_000;

export function createActivities(clients: ServiceClients) {
  const a = clients['server-a'];
  const b = clients['server-b'];
  return {
    ...createSagaActivities(clients),
    checkHealth(service: ServiceName): Promise<PingResponse> {
      return callService(clients[service], 'GET', '/ping', { timeoutMs: PING_TIMEOUT_MS, shape: PING_SHAPE });
    },
    validateData(request: ValidateRequest): Promise<ValidateResponse> {
      return callService(a, 'POST', '/validate', { body: request, shape: VALIDATE_SHAPE });
    },
    processInternal(request: ProcessInternalRequest): Promise<ProcessInternalResponse> {
      return callService(a, 'POST', '/process-internal', { body: request, shape: PROCESS_INTERNAL_SHAPE });
    },
    processExternal(request: ProcessExternalRequest): Promise<ProcessExternalResponse> {
      return callService(b, 'POST', '/process-external', { body: request, shape: PROCESS_EXTERNAL_SHAPE });
    },
    enrichData(request: EnrichRequest): Promise<EnrichResponse> {
      return callService(b, 'POST', '/enrich', { body: request, shape: ENRICH_SHAPE });
    },
    callThirdParty(request: ThirdPartyRequest): Promise<ThirdPartyResponse> {
      // The third party behind Server B fails on purpose, as often as the run's input asks: its 503s and 429s
      // say nothing about Server B itself, so they must not open B's breaker for every other run.
      return callService(b, 'POST', '/third-party-api', { body: request, timeoutMs: THIRD_PARTY_TIMEOUT_MS, shape: THIRD_PARTY_SHAPE, breaker: false });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
