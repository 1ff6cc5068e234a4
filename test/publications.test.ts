// Server B's publications API on a real service: submit, read, list, confirm and withdraw, the
// transition rules, the no-banned-words rule, bad input, and that the publications (and the answers of
// their Idempotency-Keys) survive a restart of the real entry point on the same SQLite file.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { Publication, PublicationList } from '../server-b/contract.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { killLeftovers } from './support/processes.ts';
import {
  error,
  expectError,
  expectMethodNotAllowed,
  ISO_TIMESTAMP,
  newKey,
  servicesOfFile,
  startProcess,
  stop,
  temporaryDirectory,
} from './support/service-tests.ts';
import { type Answer, call, startServerB } from './support/services.ts';

const PUBLICATION_ID = /^pub_[\w-]{12}$/;

const submit = (service: { url: string }, body: unknown, key = newKey()) => call<Publication>(service, 'POST', '/publications', { body, key });
const confirm = (service: RunningService, id: string, key = newKey()) => call<Publication>(service, 'POST', `/publications/${id}/confirm`, { key });
const withdraw = (service: RunningService, id: string, key = newKey()) => call<Publication>(service, 'DELETE', `/publications/${id}`, { key });
const read = (service: RunningService, id: string) => call<Publication>(service, 'GET', `/publications/${id}`);
const list = (service: RunningService, query = '') => call<PublicationList>(service, 'GET', `/publications${query}`);

/** The publication a successful submit answered with; fails the test on any other answer. */
async function submitted(service: RunningService, recordId = 'rec_123456789012', content = 'A fine text to publish'): Promise<Publication> {
  const res = await submit(service, { recordId, content });
  expect(res.status).toBe(201);
  return res.body;
}

const ids = (res: Answer<PublicationList>) => res.body.items.map((p) => p.id).sort();

// One service for the tests that only look at their own publications; tests that count every one start their own.
const { server, freshServer } = servicesOfFile(startServerB);

describe('POST /publications', () => {
  test('submits a publication: 201 with its id, status pending, the record id, the content as given and the key', async () => {
    const key = newKey();
    const before = Date.now();

    const res = await submit(server, { recordId: 'rec_abcdefghijkl', content: '  Exact   content, kept as sent ' }, key);
    const after = Date.now();

    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(res.body).toEqual({
      id: expect.stringMatching(PUBLICATION_ID),
      recordId: 'rec_abcdefghijkl',
      status: 'pending',
      content: '  Exact   content, kept as sent ',
      createdByKey: key,
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: res.body.createdAt,
    });
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(res.body.createdAt)).toBeLessThanOrEqual(after);
  });

  test('the publication can be read back as it was answered', async () => {
    const publication = await submitted(server);

    expect(await read(server, publication.id)).toMatchObject({ status: 200, body: publication });
  });
});

describe('the no-banned-words rule', () => {
  const violation = (words: string) => error('RULE_VIOLATION', `rule no-banned-words: the content contains ${words}`, 'content');

  test.each([
    ['This is spam', '"spam"'],
    ['A SCAM, clearly.', '"scam"'],
    ['forbidden fruit', '"forbidden"'],
    ['spam, scam and more spam', '"spam", "scam"'],
  ])('%j is a 422 RULE_VIOLATION naming the rule, the words and the field "content"', async (content, words) => {
    expectError(await submit(server, { recordId: 'rec_x', content }), 422, violation(words));
  });

  test('a rejected submit creates nothing', async () => {
    const service = await freshServer();
    const key = newKey();

    expect((await submit(service, { recordId: 'rec_x', content: 'pure spam' }, key)).status).toBe(422);

    expect((await list(service)).body.items).toEqual([]);
    expect((await list(service, `?createdByKey=${key}`)).body.items).toEqual([]);
  });

  test('only whole words count: "spammer", "scampi" and "unforbiddenly" are fine', async () => {
    const res = await submit(server, { recordId: 'rec_x', content: 'The spammer ate scampi unforbiddenly' });

    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
  });
});

describe('GET /publications', () => {
  test('lists every publication, each in full', async () => {
    const service = await freshServer();
    const a = await submitted(service, 'rec_a');
    const b = await submitted(service, 'rec_b');

    const res = await list(service);

    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items).toEqual(expect.arrayContaining([a, b]));
  });

  test('?status= keeps the publications in that status only', async () => {
    const service = await freshServer();
    const pending = await submitted(service);
    const published = await submitted(service);
    const withdrawn = await submitted(service);
    expect((await confirm(service, published.id)).status).toBe(200);
    expect((await withdraw(service, withdrawn.id)).status).toBe(200);

    expect(ids(await list(service, '?status=pending'))).toEqual([pending.id]);
    expect(ids(await list(service, '?status=published'))).toEqual([published.id]);
    expect(ids(await list(service, '?status=withdrawn'))).toEqual([withdrawn.id]);
  });

  test('?recordId= keeps the publications of that record', async () => {
    const recordId = `rec_${randomUUID()}`;
    const first = await submitted(server, recordId);
    const second = await submitted(server, recordId);
    await submitted(server, 'rec_other');

    expect(ids(await list(server, `?recordId=${recordId}`))).toEqual([first.id, second.id].sort());
    expect(ids(await list(server, '?recordId=rec_never_used'))).toEqual([]);
  });

  test('?createdByKey= finds the publication the key created', async () => {
    const key = newKey();
    const mine = (await submit(server, { recordId: 'rec_k', content: 'find me' }, key)).body;

    expect(await list(server, `?createdByKey=${key}`)).toMatchObject({ status: 200, body: { items: [mine] } });
    expect(ids(await list(server, `?createdByKey=${newKey()}`))).toEqual([]);
  });

  test('all three filters at once must all match', async () => {
    const key = newKey();
    const recordId = `rec_${randomUUID()}`;
    const mine = (await submit(server, { recordId, content: 'three filters' }, key)).body;

    expect(ids(await list(server, `?createdByKey=${key}&recordId=${recordId}&status=pending`))).toEqual([mine.id]);
    expect(ids(await list(server, `?createdByKey=${key}&recordId=rec_other&status=pending`))).toEqual([]);
    expect(ids(await list(server, `?createdByKey=${key}&recordId=${recordId}&status=published`))).toEqual([]);
  });
});

describe('GET /publications/:id', () => {
  test('an unknown id is a 404 NOT_FOUND naming it', async () => {
    expectError(await read(server, 'pub_doesnotexist'), 404, error('NOT_FOUND', 'No publication pub_doesnotexist'));
  });

  test.each([
    ['confirm', (id: string) => confirm(server, id)],
    ['withdraw', (id: string) => withdraw(server, id)],
  ])('%s of an unknown id is a 404 NOT_FOUND', async (_, action) => {
    expectError(await action('pub_doesnotexist'), 404, error('NOT_FOUND', 'No publication pub_doesnotexist'));
  });
});

describe('transitions', () => {
  test('pending → published: 200 with the publication, createdAt stays', async () => {
    const publication = await submitted(server);

    const res = await confirm(server, publication.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...publication, status: 'published', updatedAt: expect.stringMatching(ISO_TIMESTAMP) });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(publication.createdAt));
    expect((await read(server, publication.id)).body).toEqual(res.body);
  });

  test('pending → withdrawn by DELETE: 200 with the publication', async () => {
    const publication = await submitted(server);

    const res = await withdraw(server, publication.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...publication, status: 'withdrawn', updatedAt: expect.stringMatching(ISO_TIMESTAMP) });
  });

  test('published → withdrawn (the saga compensation): 200', async () => {
    const publication = await submitted(server);
    await confirm(server, publication.id);

    const res = await withdraw(server, publication.id);

    expect(res.status).toBe(200);
    expect((await read(server, publication.id)).body.status).toBe('withdrawn');
  });

  test('confirming twice is harmless: both 200, still published', async () => {
    const publication = await submitted(server);

    const statuses = [(await confirm(server, publication.id)).status, (await confirm(server, publication.id)).status];

    expect(statuses).toEqual([200, 200]);
    expect((await read(server, publication.id)).body.status).toBe('published');
  });

  test('withdrawing twice is harmless: both 200, still withdrawn', async () => {
    const publication = await submitted(server);

    const statuses = [(await withdraw(server, publication.id)).status, (await withdraw(server, publication.id)).status];

    expect(statuses).toEqual([200, 200]);
    expect((await read(server, publication.id)).body.status).toBe('withdrawn');
  });

  test('confirming a withdrawn publication is a 409 INVALID_TRANSITION naming both states, and changes nothing', async () => {
    const publication = await submitted(server);
    const withdrawn = (await withdraw(server, publication.id)).body;

    expectError(
      await confirm(server, publication.id),
      409,
      error('INVALID_TRANSITION', `Cannot confirm publication ${publication.id}: it is withdrawn, and only a pending publication can become published`),
    );
    expect((await read(server, publication.id)).body).toEqual(withdrawn);
  });
});

describe('bad input', () => {
  describe('body of POST /publications', () => {
    test.each([
      [{ content: 'x' }, error('MISSING_FIELD', '"recordId" is required', 'recordId')],
      [{ recordId: 'rec_x' }, error('MISSING_FIELD', '"content" is required', 'content')],
      [{ recordId: 7, content: 'x' }, error('INVALID_FIELD', '"recordId" must be a string, got number', 'recordId')],
      [{ recordId: 'rec_x', content: { text: 'x' } }, error('INVALID_FIELD', '"content" must be a string, got object', 'content')],
      [[{ recordId: 'rec_x', content: 'x' }], error('INVALID_BODY', 'Request body must be a JSON object sent with Content-Type: application/json')],
    ])('%j is a 400 naming the problem, and creates nothing', async (body, expected) => {
      const key = newKey();

      expectError(await submit(server, body, key), 400, expected);
      expect((await list(server, `?createdByKey=${key}`)).body.items).toEqual([]);
    });
  });

  describe('query of GET /publications', () => {
    test.each([
      ['?status=draft', 'status', 'query parameter "status" must be one of pending, published, withdrawn, got "draft"'],
      ['?status=', 'status', 'query parameter "status" must be given once, as a non-empty string'],
      ['?recordId=', 'recordId', 'query parameter "recordId" must be given once, as a non-empty string'],
      ['?recordId=a&recordId=b', 'recordId', 'query parameter "recordId" must be given once, as a non-empty string'],
      ['?createdByKey=', 'createdByKey', 'query parameter "createdByKey" must be given once, as a non-empty string'],
    ])('%s is a 400 INVALID_FIELD naming %s', async (query, field, message) => {
      expectError(await list(server, query), 400, error('INVALID_FIELD', message, field));
    });
  });

  describe('routing', () => {
    test.each([
      ['PUT', '/publications/pub_x', 'GET, HEAD, DELETE'],
      ['POST', '/publications/pub_x', 'GET, HEAD, DELETE'],
      ['DELETE', '/publications', 'POST, GET, HEAD'],
      ['GET', '/publications/pub_x/confirm', 'POST'],
      ['DELETE', '/publications/pub_x/confirm', 'POST'],
    ])('%s %s is a 405 with Allow: %s', async (method, path, allow) => {
      await expectMethodNotAllowed(server, method, path, allow);
    });

    test.each([
      ['POST', '/publications/pub_x/publish'],
      ['GET', '/publications/'],
      ['POST', '/records'],
    ])('%s %s is a 404 NOT_FOUND', async (method, path) => {
      expectError(await call(server, method, path, { key: newKey() }), 404, error('NOT_FOUND', `No route ${method} ${path}`));
    });
  });
});

describe('data survives a restart of the real service', () => {
  const directory = temporaryDirectory('server-b-db-');

  afterEach(killLeftovers);

  test('a publication and its Idempotency-Key answer are there after SIGTERM and a new start on the same file', async () => {
    const database = join(directory(), 'server-b.db');
    const key = newKey();
    const body = { recordId: 'rec_durable00000', content: 'durable content' };

    const first = await startProcess('server-b', database);
    const created = await submit(first.service, body, key);
    const confirmed = await call<Publication>(first.service, 'POST', `/publications/${created.body.id}/confirm`, { key: `${key}-confirm` });
    await stop(first.process);
    expect(created.status).toBe(201);
    expect(confirmed.status).toBe(200);
    expect(existsSync(database)).toBe(true);

    const second = await startProcess('server-b', database);
    const readBack = await call<Publication>(second.service, 'GET', `/publications/${created.body.id}`);
    const replay = await submit(second.service, body, key);
    const all = await call<PublicationList>(second.service, 'GET', '/publications');
    await stop(second.process);

    expect(readBack).toMatchObject({ status: 200, body: confirmed.body });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created.body);
    expect(all.body.items).toEqual([confirmed.body]);
  });
});
