// Which service each activity calls, so a worker with one service's role registers (and polls for)
// exactly that service's activities. checkHealth pings whichever service it is given: both have it.
import type { ServiceName } from '../../shared/api.ts';
import type { Activities } from './index.ts';

export const ACTIVITY_SERVICES: Record<keyof Activities, readonly ServiceName[]> = {
  checkHealth: ['server-a', 'server-b'],
  validateData: ['server-a'],
  processInternal: ['server-a'],
  reserveRecord: ['server-a'],
  commitRecord: ['server-a'],
  releaseReservedRecord: ['server-a'],
  processExternal: ['server-b'],
  enrichData: ['server-b'],
  callThirdParty: ['server-b'],
  submitPublication: ['server-b'],
  confirmPublication: ['server-b'],
  withdrawSubmittedPublication: ['server-b'],
};

/** The activities of `all` that call `service`. */
export function activitiesOf<T extends Partial<Activities>>(all: T, service: ServiceName): Partial<T> {
  return Object.fromEntries(Object.entries(all).filter(([name]) => ACTIVITY_SERVICES[name as keyof Activities]?.includes(service))) as Partial<T>;
}
