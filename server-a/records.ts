// Server A's records API: reserve a record for processed data, then commit or release it. Every change
// needs an Idempotency-Key (see shared/service/mutations.ts); the key that created a record finds it again.
import type { Request } from 'express';
import { IDEMPOTENCY_KEY_HEADER, type DataRecord, type ListResponse, type RecordStatus } from '../shared/api.ts';
import type { Route } from '../shared/service/create-app.ts';
import { bodyObject, requireString } from '../shared/service/http-error.ts';
import { Reply } from '../shared/service/mutations.ts';
import { queryOneOf, queryString } from '../shared/service/query.ts';
import { normalize, sha256 } from '../shared/text.ts';
import type { RecordStore } from './store.ts';

const STATUSES: readonly RecordStatus[] = ['reserved', 'committed', 'released'];

export function recordRoutes(store: RecordStore): Route[] {
  return [
    {
      method: 'POST',
      path: '/records',
      mutates: true,
      handle: (raw, req): Reply => {
        const data = requireString(bodyObject(raw), 'data');
        return new Reply(201, store.reserve(sha256(normalize(data)), keyOf(req)));
      },
    },
    {
      method: 'GET',
      path: '/records',
      handle: (_raw, req): ListResponse<DataRecord> => {
        const status = queryOneOf(req, 'status', STATUSES);
        const createdByKey = queryString(req, 'createdByKey');
        return { items: store.list({ ...(status && { status }), ...(createdByKey && { createdByKey }) }) };
      },
    },
    { method: 'GET', path: '/records/:id', handle: (_raw, req): DataRecord => store.get(idOf(req)) },
    { method: 'POST', path: '/records/:id/commit', mutates: true, handle: (_raw, req): DataRecord => store.transition(idOf(req), 'commit') },
    { method: 'DELETE', path: '/records/:id', mutates: true, handle: (_raw, req): DataRecord => store.transition(idOf(req), 'release') },
  ];
}

function idOf(req: Request): string {
  return String(req.params.id);
}

function keyOf(req: Request): string {
  return req.get(IDEMPOTENCY_KEY_HEADER) ?? '';
}
