// The activities, one factory per service, created with the service clients they use (the worker's configured
// URLs, or a test's services on ephemeral ports).
import type { ServiceName } from '../../shared/contract.ts';
import { createServerAActivities } from './server-a.ts';
import { createServerBActivities } from './server-b.ts';
import type { ServiceClients } from './service-clients.ts';
import type { Activities, ServerAActivities, ServerBActivities } from './types.ts';

export type { Activities } from './types.ts';

/** The activities of `service`, registered on that service's task queue. */
export function activitiesOf(service: ServiceName, clients: ServiceClients): ServerAActivities | ServerBActivities {
  return service === 'server-a' ? createServerAActivities(clients) : createServerBActivities(clients);
}

/** Every service's activities, for a worker that runs them all on one queue (runs from before the per-service queues). */
export function createActivities(clients: ServiceClients): Activities {
  return { ...createServerAActivities(clients), ...createServerBActivities(clients) };
}
