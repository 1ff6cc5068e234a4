// The saga's activities: each step changes one service's state under its own Idempotency-Key, and each
// compensation finds what its step created by that key (so a step that applied but never answered is
// still undone) and undoes it under a key of its own.
import type { DataRecord, ListResponse, Publication } from '../../shared/api.ts';
import { callService } from './call-service.ts';
import { idempotencyKey } from './idempotency-key.ts';
import { LIST_SHAPE, PUBLICATION_SHAPE, RECORD_SHAPE } from './response-shapes.ts';
import { ApplicationFailure } from '@temporalio/common';
import { SAGA_STEPS } from '../saga-steps.ts';
import type { ServiceClients } from './service-clients.ts';

/** What a compensation found and did. `committed`: the record could not be released because the saga's
 *  commit reached Server A after all, so the saga has in fact succeeded. */
export interface Undone<T> {
  outcome: 'undone' | 'nothing-to-undo' | 'committed';
  resource: T | null;
}

export function createSagaActivities(clients: ServiceClients) {
  const a = clients['server-a'];
  const b = clients['server-b'];
  const createdBy = <T>(client: typeof a, collection: string, step: string) =>
    callService<ListResponse<T>>(client, 'GET', `/${collection}?createdByKey=${encodeURIComponent(idempotencyKey(step))}`, { shape: LIST_SHAPE });
  return {
    reserveRecord(request: { data: string }): Promise<DataRecord> {
      return callService(a, 'POST', '/records', { body: request, idempotencyKey: idempotencyKey(SAGA_STEPS.reserve), shape: RECORD_SHAPE });
    },
    commitRecord(recordId: string): Promise<DataRecord> {
      const path = `/records/${encodeURIComponent(recordId)}/commit`;
      return callService(a, 'POST', path, { idempotencyKey: idempotencyKey(SAGA_STEPS.commit), shape: RECORD_SHAPE });
    },
    submitPublication(request: { recordId: string; content: string }): Promise<Publication> {
      return callService(b, 'POST', '/publications', { body: request, idempotencyKey: idempotencyKey(SAGA_STEPS.submit), shape: PUBLICATION_SHAPE });
    },
    confirmPublication(publicationId: string): Promise<Publication> {
      const path = `/publications/${encodeURIComponent(publicationId)}/confirm`;
      return callService(b, 'POST', path, { idempotencyKey: idempotencyKey(SAGA_STEPS.confirm), shape: PUBLICATION_SHAPE });
    },
    /**
     * Compensation of reserve: releases the record it created, if any. Releasing and committing exclude
     * each other on Server A, so this is also where a saga learns that its commit landed after all.
     */
    async releaseReservedRecord(): Promise<Undone<DataRecord>> {
      const [record] = (await createdBy<DataRecord>(a, 'records', SAGA_STEPS.reserve)).items;
      if (!record) return { outcome: 'nothing-to-undo', resource: null };
      const path = `/records/${encodeURIComponent(record.id)}`;
      try {
        const released = await callService<DataRecord>(a, 'DELETE', path, {
          idempotencyKey: idempotencyKey(`undo-${SAGA_STEPS.reserve}`),
          shape: RECORD_SHAPE,
        });
        return { outcome: 'undone', resource: released };
      } catch (error) {
        if (!(error instanceof ApplicationFailure) || (error.details?.[0] as { code?: string } | undefined)?.code !== 'INVALID_TRANSITION') throw error;
        const current = await callService<DataRecord>(a, 'GET', path, { shape: RECORD_SHAPE });
        if (current.status !== 'committed') throw error;
        return { outcome: 'committed', resource: current };
      }
    },
    /** Compensation of submit: withdraws the publication it created, if any. */
    async withdrawSubmittedPublication(): Promise<Undone<Publication>> {
      const [publication] = (await createdBy<Publication>(b, 'publications', SAGA_STEPS.submit)).items;
      if (!publication) return { outcome: 'nothing-to-undo', resource: null };
      const path = `/publications/${encodeURIComponent(publication.id)}`;
      const withdrawn = await callService<Publication>(b, 'DELETE', path, {
        idempotencyKey: idempotencyKey(`undo-${SAGA_STEPS.submit}`),
        shape: PUBLICATION_SHAPE,
      });
      return { outcome: 'undone', resource: withdrawn };
    },
  };
}
