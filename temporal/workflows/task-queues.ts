// Where each service's activities run: one task queue per service, named after the workflows' own queue,
// so a worker per service (WORKER_ROLE) polls exactly the calls to its service and nothing else. The
// workflows route every activity with this table; the worker polls with it. Plain strings, so workflow
// code may import it.
import type { ServiceName } from '../../shared/api.ts';

export const SERVICE_NAMES: readonly ServiceName[] = ['server-a', 'server-b'];

/** `multi-server-queue` → `multi-server-queue-server-b`. */
export function serviceTaskQueue(workflowTaskQueue: string, service: ServiceName): string {
  return `${workflowTaskQueue}-${service}`;
}
