// Server A's records API: reserve a record for processed data, then commit or release it. Every change
// needs an Idempotency-Key (see shared/service/mutations.ts); the key that created a record finds it again.
import type { DataRecord, ListResponse, RecordStatus } from '../shared/api.ts';
import type { Route } from '../shared/service/create-app.ts';
import { bodyObject, requireString } from '../shared/service/http-error.ts';
import { idempotencyKeyOf } from '../shared/service/mutations.ts';
import { param, queryOneOf, queryString } from '../shared/service/query.ts';
import { Reply } from '../shared/service/reply.ts';
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
        return new Reply(201, store.reserve(sha256(normalize(data)), idempotencyKeyOf(req)));
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
    { method: 'GET', path: '/records/:id', handle: (_raw, req): DataRecord => store.get(param(req, 'id')) },
    { method: 'POST', path: '/records/:id/commit', mutates: true, handle: (_raw, req): DataRecord => store.transition(param(req, 'id'), 'commit') },
    { method: 'DELETE', path: '/records/:id', mutates: true, handle: (_raw, req): DataRecord => store.transition(param(req, 'id'), 'release') },
  ];
}
