// Server A's activities: one per HTTP operation, typed by and checked against Server A's contract.
import { ApplicationFailure } from '@temporalio/common';
import { DataRecord, ProcessInternalResponse, RecordList, ValidateResponse } from '../../server-a/contract.ts';
import { SAGA_STEPS } from '../saga-steps.ts';
import { callService, healthCheck } from './call-service.ts';
import { createdByStep, idempotencyKey } from './idempotency-key.ts';
import type { ServiceClients } from './service-clients.ts';
import type { ServerAActivities } from './types.ts';

export function createServerAActivities(clients: ServiceClients): ServerAActivities {
  const a = clients['server-a'];
  const record = (id: string) => `/records/${encodeURIComponent(id)}`;
  return {
    checkHealth: healthCheck(clients),
    validateData: (request) => callService(a, 'POST', '/validate', { body: request, response: ValidateResponse }),
    processInternal: (request) => callService(a, 'POST', '/process-internal', { body: request, response: ProcessInternalResponse }),
    reserveRecord: (request) => callService(a, 'POST', '/records', { body: request, idempotencyKey: idempotencyKey(SAGA_STEPS.reserve), response: DataRecord }),
    commitRecord: (recordId) =>
      callService(a, 'POST', `${record(recordId)}/commit`, { idempotencyKey: idempotencyKey(SAGA_STEPS.commit), response: DataRecord }),
    /** Releasing and committing exclude each other on Server A, so this is also where a saga learns that its commit landed after all. */
    async releaseReservedRecord() {
      const reserved = await createdByStep(a, 'records', SAGA_STEPS.reserve, RecordList);
      if (!reserved) return { outcome: 'nothing-to-undo', resource: null };
      try {
        const released = await callService(a, 'DELETE', record(reserved.id), {
          idempotencyKey: idempotencyKey(`undo-${SAGA_STEPS.reserve}`),
          response: DataRecord,
        });
        return { outcome: 'undone', resource: released };
      } catch (error) {
        if (!(error instanceof ApplicationFailure) || (error.details?.[0] as { code?: string } | undefined)?.code !== 'INVALID_TRANSITION') throw error;
        const current = await callService(a, 'GET', record(reserved.id), { response: DataRecord });
        if (current.status !== 'committed') throw error;
        return { outcome: 'committed', resource: current };
      }
    },
  };
}
