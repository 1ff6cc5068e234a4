// The saga's activities: each step changes one service's state under its own Idempotency-Key, and each
// compensation finds what its step created by that key (so a step that applied but never answered is
// still undone) and undoes it under a key of its own.
import type { DataRecord, ListResponse, Publication } from '../../shared/api.ts';
import { callService } from './call-service.ts';
import { idempotencyKey } from './idempotency-key.ts';
import { LIST_SHAPE, PUBLICATION_SHAPE, RECORD_SHAPE } from './response-shapes.ts';
import type { ServiceClients } from './service-clients.ts';

/** The steps that create something, by the name their key is derived from. */
export const SAGA_STEPS = { reserve: 'reserve-record', submit: 'submit-publication', confirm: 'confirm-publication', commit: 'commit-record' } as const;

/** What a compensation found and did. */
export interface Undone<T> {
  outcome: 'undone' | 'nothing-to-undo';
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
    /** The record the reserve step created, if it did (its answer may have been lost). */
    async findReservedRecord(): Promise<DataRecord | null> {
      return (await createdBy<DataRecord>(a, 'records', SAGA_STEPS.reserve)).items[0] ?? null;
    },
    /** Compensation of reserve: releases the record it created, if any. */
    async releaseReservedRecord(): Promise<Undone<DataRecord>> {
      const [record] = (await createdBy<DataRecord>(a, 'records', SAGA_STEPS.reserve)).items;
      if (!record) return { outcome: 'nothing-to-undo', resource: null };
      const path = `/records/${encodeURIComponent(record.id)}`;
      const released = await callService<DataRecord>(a, 'DELETE', path, { idempotencyKey: idempotencyKey(`undo-${SAGA_STEPS.reserve}`), shape: RECORD_SHAPE });
      return { outcome: 'undone', resource: released };
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
