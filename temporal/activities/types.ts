// What each service's activities take and return, and the service (so the task queue) each calls. One
// interface per service, so a proxy of Server A cannot name Server B's activity. No I/O: workflow code imports it.
import type * as A from '../../server-a/contract.ts';
import type * as B from '../../server-b/contract.ts';
import type { PingResponse, ServiceName } from '../../shared/contract.ts';
import type { StepName } from '../workflows/steps.ts';

/** What a compensation found and did. `committed`: the record could not be released because the saga's commit
 *  reached Server A after all, so the saga has in fact succeeded. */
export interface Undone<T> {
  outcome: 'undone' | 'nothing-to-undo' | 'committed';
  resource: T | null;
}

/** Every service answers a ping, asked by name. */
export interface HealthActivities {
  checkHealth(service: ServiceName): Promise<PingResponse>;
}

export interface ServerAActivities extends HealthActivities {
  validateData(request: A.ValidateRequest): Promise<A.ValidateResponse>;
  processInternal(request: A.ProcessInternalRequest): Promise<A.ProcessInternalResponse>;
  reserveRecord(request: A.ReserveRecordRequest): Promise<A.DataRecord>;
  commitRecord(recordId: string): Promise<A.DataRecord>;
  /** Compensation of reserveRecord: releases the record it created, found by its Idempotency-Key. */
  releaseReservedRecord(): Promise<Undone<A.DataRecord>>;
}

export interface ServerBActivities extends HealthActivities {
  processExternal(request: B.ProcessExternalRequest): Promise<B.ProcessExternalResponse>;
  enrichData(request: B.EnrichRequest): Promise<B.EnrichResponse>;
  callThirdParty(request: B.ThirdPartyRequest): Promise<B.ThirdPartyResponse>;
  submitPublication(request: B.SubmitPublicationRequest): Promise<B.Publication>;
  confirmPublication(publicationId: string): Promise<B.Publication>;
  /** Compensation of submitPublication: withdraws the publication it created, found by its Idempotency-Key. */
  withdrawSubmittedPublication(): Promise<Undone<B.Publication>>;
}

export type Activities = ServerAActivities & ServerBActivities;
export type ActivityName = keyof Activities;

type Of<A, S extends ServiceName> = { [K in Exclude<keyof A, keyof HealthActivities>]: { service: S; step: StepName | null } };

/** Each activity's service (so its task queue; checkHealth calls the one it is given) and the step it is, unless the
 *  workflow runs it inside step(); compensations are no step. */
export const ACTIVITIES: { checkHealth: { service: null; step: StepName } } & Of<ServerAActivities, 'server-a'> & Of<ServerBActivities, 'server-b'> = {
  checkHealth: { service: null, step: 'health-check' },
  validateData: { service: 'server-a', step: 'validate' },
  processInternal: { service: 'server-a', step: 'process-internal' },
  reserveRecord: { service: 'server-a', step: 'reserve-record' },
  commitRecord: { service: 'server-a', step: 'commit-record' },
  releaseReservedRecord: { service: 'server-a', step: null },
  processExternal: { service: 'server-b', step: 'process-external' },
  enrichData: { service: 'server-b', step: 'enrich' },
  callThirdParty: { service: 'server-b', step: 'third-party' },
  submitPublication: { service: 'server-b', step: 'submit-publication' },
  confirmPublication: { service: 'server-b', step: 'confirm-publication' },
  withdrawSubmittedPublication: { service: 'server-b', step: null },
};

export function serviceOf(activityType: string, args: readonly unknown[]): ServiceName {
  return ACTIVITIES[activityType as ActivityName].service ?? (args[0] as ServiceName);
}

/** One task queue per service, named after the workflows' own: `multi-server-queue` → `multi-server-queue-server-b`. */
export function serviceTaskQueue(workflowTaskQueue: string, service: ServiceName): string {
  return `${workflowTaskQueue}-${service}`;
}
