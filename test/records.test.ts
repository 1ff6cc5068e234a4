// Server A's records API on a real service: reserve, read, list, commit and release, the transition
// rules, bad input, and that the records (and the answers of their Idempotency-Keys) survive a restart
// of the real entry point on the same SQLite file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DataRecord, RecordList } from '../server-a/contract.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { normalize, sha256 } from '../shared/text.ts';
import { killLeftovers, ROOT } from './support/processes.ts';
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
import { type Answer, call, startServerA } from './support/services.ts';

const RECORD_ID = /^rec_[\w-]{12}$/;

const reserve = (service: RunningService, data: string, key = newKey()) => call<DataRecord>(service, 'POST', '/records', { body: { data }, key });
const commit = (service: RunningService, id: string, key = newKey()) => call<DataRecord>(service, 'POST', `/records/${id}/commit`, { key });
const release = (service: RunningService, id: string, key = newKey()) => call<DataRecord>(service, 'DELETE', `/records/${id}`, { key });
const read = (service: RunningService, id: string) => call<DataRecord>(service, 'GET', `/records/${id}`);
const list = (service: RunningService, query = '') => call<RecordList>(service, 'GET', `/records${query}`);

/** The record a successful reserve answered with; fails the test on any other answer. */
async function reserved(service: RunningService, data = 'some processed data'): Promise<DataRecord> {
  const res = await reserve(service, data);
  expect(res.status).toBe(201);
  return res.body;
}

// One service for the tests that only look at their own records; tests that count every record start their own.
const { server, freshServer } = servicesOfFile(startServerA);

describe('POST /records', () => {
  test('reserves a record: 201 with its id, status reserved, the hash of the normalized data and the key that created it', async () => {
    const key = newKey();
    const before = Date.now();

    const res = await reserve(server, '  Hello   World, from the saga ', key);
    const after = Date.now();

    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(res.body).toEqual({
      id: expect.stringMatching(RECORD_ID),
      status: 'reserved',
      contentHash: sha256('hello world, from the saga'),
      createdByKey: key,
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: res.body.createdAt,
    });
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(res.body.createdAt)).toBeLessThanOrEqual(after);
  });

  test('data that normalizes to the same text gets the same content hash, in two distinct records', async () => {
    const first = await reserved(server, 'Same  TEXT');
    const second = await reserved(server, '\tsame text\n');

    expect(second.contentHash).toBe(first.contentHash);
    expect(first.contentHash).toBe(sha256(normalize('same text')));
    expect(second.id).not.toBe(first.id);
  });

  test('the record can be read back as it was answered', async () => {
    const record = await reserved(server);

    expect(await read(server, record.id)).toMatchObject({ status: 200, body: record });
  });
});

describe('GET /records', () => {
  const ids = (res: Answer<RecordList>) => res.body.items.map((r) => r.id).sort();

  test('lists every record, each in full', async () => {
    const service = await freshServer();
    const a = await reserved(service, 'first');
    const b = await reserved(service, 'second');

    const res = await list(service);

    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items).toEqual(expect.arrayContaining([a, b]));
  });

  test('an empty store lists nothing', async () => {
    expect(await list(await freshServer())).toMatchObject({ status: 200, body: { items: [] } });
  });

  test('?status= keeps the records in that status only', async () => {
    const service = await freshServer();
    const stays = await reserved(service, 'stays reserved');
    const committed = await reserved(service, 'gets committed');
    const released = await reserved(service, 'gets released');
    expect((await commit(service, committed.id)).status).toBe(200);
    expect((await release(service, released.id)).status).toBe(200);

    expect(ids(await list(service, '?status=reserved'))).toEqual([stays.id]);
    expect(ids(await list(service, '?status=committed'))).toEqual([committed.id]);
    expect(ids(await list(service, '?status=released'))).toEqual([released.id]);
  });

  test('?createdByKey= finds the record the key created, and nothing for an unused key', async () => {
    const key = newKey();
    const mine = (await reserve(server, 'find me again', key)).body;
    await reserved(server, 'someone else');

    expect(await list(server, `?createdByKey=${encodeURIComponent(key)}`)).toMatchObject({ status: 200, body: { items: [mine] } });
    expect(await list(server, `?createdByKey=${newKey()}`)).toMatchObject({ status: 200, body: { items: [] } });
  });

  test('both filters at once must both match', async () => {
    const key = newKey();
    const record = (await reserve(server, 'filtered twice', key)).body;

    expect(ids(await list(server, `?createdByKey=${key}&status=reserved`))).toEqual([record.id]);
    expect(ids(await list(server, `?createdByKey=${key}&status=committed`))).toEqual([]);
  });
});

describe('GET /records/:id', () => {
  test('an unknown id is a 404 NOT_FOUND naming it', async () => {
    expectError(await read(server, 'rec_doesnotexist'), 404, error('NOT_FOUND', 'No record rec_doesnotexist'));
  });

  test.each([
    ['commit', (id: string) => commit(server, id)],
    ['release', (id: string) => release(server, id)],
  ])('%s of an unknown id is a 404 NOT_FOUND', async (_, action) => {
    expectError(await action('rec_doesnotexist'), 404, error('NOT_FOUND', 'No record rec_doesnotexist'));
  });
});

describe('transitions', () => {
  const cannot = (action: string, id: string, current: string, target: string) =>
    error('INVALID_TRANSITION', `Cannot ${action} record ${id}: it is ${current}, and only a reserved record can become ${target}`);

  test('reserved → committed: 200 with the record, updatedAt moves on, createdAt stays', async () => {
    const record = await reserved(server);

    const res = await commit(server, record.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...record, status: 'committed', updatedAt: expect.stringMatching(ISO_TIMESTAMP) });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(record.createdAt));
    expect((await read(server, record.id)).body).toEqual(res.body);
  });

  test('reserved → released by DELETE: 200 with the record', async () => {
    const record = await reserved(server);

    const res = await release(server, record.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...record, status: 'released', updatedAt: expect.stringMatching(ISO_TIMESTAMP) });
    expect((await read(server, record.id)).body.status).toBe('released');
  });

  test('releasing twice is harmless: both 200, still released', async () => {
    const record = await reserved(server);

    const first = await release(server, record.id);
    const second = await release(server, record.id);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.status).toBe('released');
    expect((await read(server, record.id)).body.status).toBe('released');
  });

  test('committing twice is harmless: both 200, still committed', async () => {
    const record = await reserved(server);

    const first = await commit(server, record.id);
    const second = await commit(server, record.id);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.status).toBe('committed');
    expect((await read(server, record.id)).body.status).toBe('committed');
  });

  test('committing a released record is a 409 INVALID_TRANSITION naming both states, and changes nothing', async () => {
    const record = await reserved(server);
    const released = (await release(server, record.id)).body;

    expectError(await commit(server, record.id), 409, cannot('commit', record.id, 'released', 'committed'));
    expect((await read(server, record.id)).body).toEqual(released);
  });

  test('releasing a committed record is a 409 INVALID_TRANSITION naming both states, and changes nothing', async () => {
    const record = await reserved(server);
    const committed = (await commit(server, record.id)).body;

    expectError(await release(server, record.id), 409, cannot('release', record.id, 'committed', 'released'));
    expect((await read(server, record.id)).body).toEqual(committed);
  });
});

describe('bad input', () => {
  describe('body of POST /records', () => {
    test.each([
      [{}, error('MISSING_FIELD', '"data" is required', 'data')],
      [{ data: 42 }, error('INVALID_FIELD', '"data" must be a string, got number', 'data')],
      [{ data: null }, error('INVALID_FIELD', '"data" must be a string, got null', 'data')],
      [{ data: ['x'] }, error('INVALID_FIELD', '"data" must be a string, got array', 'data')],
      [['x'], error('INVALID_BODY', 'Request body must be a JSON object sent with Content-Type: application/json')],
    ])('%j is a 400 naming the problem, and creates nothing', async (body, expected) => {
      const key = newKey();

      expectError(await call(server, 'POST', '/records', { body, key }), 400, expected);
      expect((await list(server, `?createdByKey=${key}`)).body.items).toEqual([]);
    });

    test('malformed JSON is a 400 INVALID_JSON', async () => {
      const res = await fetch(`${server.url}/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': newKey() },
        body: '{"data": ',
      });

      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(error('INVALID_JSON', 'Request body is not valid JSON'));
    });
  });

  describe('query of GET /records', () => {
    test.each([
      ['?status=archived', 'status', 'query parameter "status" must be one of reserved, committed, released, got "archived"'],
      ['?status=', 'status', 'query parameter "status" must be given once, as a non-empty string'],
      ['?status=reserved&status=committed', 'status', 'query parameter "status" must be given once, as a non-empty string'],
      ['?createdByKey=', 'createdByKey', 'query parameter "createdByKey" must be given once, as a non-empty string'],
      ['?createdByKey=a&createdByKey=b', 'createdByKey', 'query parameter "createdByKey" must be given once, as a non-empty string'],
    ])('%s is a 400 INVALID_FIELD naming %s', async (query, field, message) => {
      expectError(await list(server, query), 400, error('INVALID_FIELD', message, field));
    });

    test('an unknown query parameter is ignored', async () => {
      expect((await list(server, '?colour=blue')).status).toBe(200);
    });
  });

  describe('routing', () => {
    test.each([
      ['PUT', '/records/rec_x', 'GET, HEAD, DELETE'],
      ['PATCH', '/records/rec_x', 'GET, HEAD, DELETE'],
      ['POST', '/records/rec_x', 'GET, HEAD, DELETE'],
      ['DELETE', '/records', 'POST, GET, HEAD'],
      ['GET', '/records/rec_x/commit', 'POST'],
    ])('%s %s is a 405 with Allow: %s', async (method, path, allow) => {
      await expectMethodNotAllowed(server, method, path, allow);
    });

    test.each([
      ['POST', '/records/rec_x/publish'],
      ['GET', '/records/'],
      ['GET', '/records/rec_x/commit/extra'],
      ['GET', '/Records'],
    ])('%s %s is a 404 NOT_FOUND', async (method, path) => {
      expectError(await call(server, method, path), 404, error('NOT_FOUND', `No route ${method} ${path}`));
    });
  });
});

describe('GET /status', () => {
  test('counts the records endpoints by their pattern, not by the id in the path', async () => {
    const service = await freshServer();
    const record = await reserved(service);
    await commit(service, record.id);
    await read(service, record.id);
    await read(service, 'rec_unknown');
    await release(service, record.id);

    const status = (await call<{ endpoints: Record<string, { requests: number; errors: number }> }>(service, 'GET', '/status')).body;

    expect(status.endpoints).toMatchObject({
      'POST /records': { requests: 1, errors: 0 },
      'POST /records/:id/commit': { requests: 1, errors: 0 },
      'GET /records/:id': { requests: 2, errors: 1 },
      'DELETE /records/:id': { requests: 1, errors: 1 },
    });
    expect(Object.keys(status.endpoints).filter((e) => e.includes('rec_'))).toEqual([]);
  });
});

describe('data survives a restart of the real service', () => {
  const directory = temporaryDirectory('server-a-db-');

  afterEach(killLeftovers);

  test('a record and its Idempotency-Key answer are there after SIGTERM and a new start on the same file', async () => {
    const database = join(directory(), 'nested', 'server-a.db');
    const key = newKey();

    const first = await startProcess('server-a', database);
    const created = await call<DataRecord>(first.service, 'POST', '/records', { body: { data: 'durable' }, key });
    const committed = await call<DataRecord>(first.service, 'POST', `/records/${created.body.id}/commit`, { key: `${key}-commit` });
    await stop(first.process);
    expect(created.status).toBe(201);
    expect(committed.status).toBe(200);
    expect(existsSync(database)).toBe(true);

    const second = await startProcess('server-a', database);
    const readBack = await call<DataRecord>(second.service, 'GET', `/records/${created.body.id}`);
    const replay = await call<DataRecord>(second.service, 'POST', '/records', { body: { data: 'durable' }, key });
    const all = await call<RecordList>(second.service, 'GET', '/records');
    await stop(second.process);

    expect(readBack).toMatchObject({ status: 200, body: committed.body });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created.body);
    expect(all.body.items).toEqual([committed.body]);
  });
});

describe('database location', () => {
  test('a relative SERVER_A_DB is resolved against the project root; absolute paths and :memory: are kept', () => {
    expect(fromProjectRoot('.data/server-a.db')).toBe(join(ROOT, '.data/server-a.db'));
    expect(fromProjectRoot('/var/lib/a.db')).toBe('/var/lib/a.db');
    expect(fromProjectRoot(':memory:')).toBe(':memory:');
  });
});
