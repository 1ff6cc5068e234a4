// Server B's publications API: submit a record's content (checked against the rules), then confirm or
// withdraw it. Every change needs an Idempotency-Key; the key that created a publication finds it again.
import type { ListResponse, Publication, PublicationStatus } from '../shared/api.ts';
import type { Route } from '../shared/service/create-app.ts';
import { bodyObject, HttpError, requireString } from '../shared/service/http-error.ts';
import { idempotencyKeyOf } from '../shared/service/mutations.ts';
import { param, queryOneOf, queryString } from '../shared/service/query.ts';
import { Reply } from '../shared/service/reply.ts';
import { ruleViolation } from './rules.ts';
import type { PublicationStore } from './store.ts';

const STATUSES: readonly PublicationStatus[] = ['pending', 'published', 'withdrawn'];

export function publicationRoutes(store: PublicationStore): Route[] {
  return [
    {
      method: 'POST',
      path: '/publications',
      mutates: true,
      handle: (raw, req): Reply => {
        const body = bodyObject(raw);
        const recordId = requireString(body, 'recordId');
        const content = requireString(body, 'content');
        const violation = ruleViolation(content);
        if (violation) throw new HttpError(422, 'RULE_VIOLATION', violation.message, { field: 'content' });
        return new Reply(201, store.submit(recordId, content, idempotencyKeyOf(req)));
      },
    },
    {
      method: 'GET',
      path: '/publications',
      handle: (_raw, req): ListResponse<Publication> => {
        const status = queryOneOf(req, 'status', STATUSES);
        const createdByKey = queryString(req, 'createdByKey');
        const recordId = queryString(req, 'recordId');
        return { items: store.list({ ...(status && { status }), ...(createdByKey && { createdByKey }), ...(recordId && { recordId }) }) };
      },
    },
    { method: 'GET', path: '/publications/:id', handle: (_raw, req): Publication => store.get(param(req, 'id')) },
    { method: 'POST', path: '/publications/:id/confirm', mutates: true, handle: (_raw, req): Publication => store.transition(param(req, 'id'), 'confirm') },
    { method: 'DELETE', path: '/publications/:id', mutates: true, handle: (_raw, req): Publication => store.transition(param(req, 'id'), 'withdraw') },
  ];
}
