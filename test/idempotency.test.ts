// The Idempotency-Key rules (after the IETF draft) on real services, the fault knob that applies a
// change and then loses its answer, the fault plan an app can be given, the settings that turn the knob
// on for the real entry points, and IdempotencyStore's retention and rollback on their own.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { DataRecord, RecordList } from '../server-a/contract.ts';
import type { Publication, PublicationList } from '../server-b/contract.ts';
import type { StatusResponse } from '../shared/contract.ts';
import { ConfigError, loadConfig } from '../shared/config.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { CLAIM_LEASE_MS, type FaultPlan, IdempotencyStore, KEEP_MS, openDatabase, type StoredAnswer } from '../shared/service/idempotency.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { killLeftovers, startNode } from './support/processes.ts';
import { error, expectError, newKey, startProcess, temporaryDirectory } from './support/service-tests.ts';
import { type Answer, call, startServerA, startServerB } from './support/services.ts';

const REPLAYED = 'idempotent-replayed';

const MISSING_KEY = error('MISSING_IDEMPOTENCY_KEY', 'This request changes state: send an Idempotency-Key header', 'Idempotency-Key');
const MALFORMED_KEY = error('MISSING_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 'Idempotency-Key');
const KEY_REUSED = error('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request', 'Idempotency-Key');
const IN_PROGRESS = error('REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed');
const SIMULATED_FAULT = error('SIMULATED_FAULT', 'Simulated fault after the change was applied; retry with the same Idempotency-Key');

// Every service a test starts is stopped after it.
const running: RunningService[] = [];

async function serverA(faults?: FaultPlan, database?: string): Promise<RunningService> {
  const service = await startServerA({ ...(faults && { faults }), ...(database && { database }) });
  running.push(service);
  return service;
}

async function serverB(faults?: FaultPlan, database?: string): Promise<RunningService> {
  const service = await startServerB({ ...(faults && { faults }), ...(database && { database }) });
  running.push(service);
  return service;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const reserve = (a: RunningService, key: string | undefined, data = 'some data', headers: Record<string, string> = {}) =>
  call<DataRecord>(a, 'POST', '/records', { body: { data }, headers, ...(key !== undefined && { key }) });

const commit = (a: RunningService, id: string, key: string, headers: Record<string, string> = {}) =>
  call<DataRecord>(a, 'POST', `/records/${id}/commit`, { key, headers });

const release = (a: RunningService, id: string, key: string) => call<DataRecord>(a, 'DELETE', `/records/${id}`, { key });

const records = async (a: RunningService): Promise<DataRecord[]> => (await call<RecordList>(a, 'GET', '/records')).body.items;
const publications = async (b: RunningService): Promise<Publication[]> => (await call<PublicationList>(b, 'GET', '/publications')).body.items;

/** A record reserved under a key of its own; fails the test on any other answer. */
async function reserved(a: RunningService): Promise<DataRecord> {
  const res = await reserve(a, newKey());
  expect(res.status).toBe(201);
  return res.body;
}

/** `second` is `first` served again from the store: same status and body, marked as replayed. */
function expectReplayOf<T>(second: Answer<T>, first: { status: number; body: T }): void {
  expect(second.status).toBe(first.status);
  expect(second.body).toEqual(first.body);
  expect(second.headers.get(REPLAYED)).toBe('true');
}

/** Polls the service's own GET /status until `endpoint` has `count` requests in flight. */
async function untilInFlight(service: RunningService, endpoint: string, count: number, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await call<StatusResponse>(service, 'GET', '/status')).body;
    if (status.endpoints[endpoint]?.inFlight === count) return;
    if (Date.now() > deadline) throw new Error(`${endpoint} never had ${count} request(s) in flight: ${JSON.stringify(status.endpoints)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a mutating request needs an Idempotency-Key', () => {
  test('POST /records without one is a 400 MISSING_IDEMPOTENCY_KEY naming the header, and creates nothing', async () => {
    const a = await serverA();

    expectError(await reserve(a, undefined), 400, MISSING_KEY);
    expect(await records(a)).toEqual([]);
  });

  test('an empty Idempotency-Key counts as missing', async () => {
    const a = await serverA();

    expectError(await reserve(a, ''), 400, MISSING_KEY);
    expect(await records(a)).toEqual([]);
  });

  test('commit and release without one are refused and change nothing', async () => {
    const a = await serverA();
    const record = await reserved(a);

    expectError(await call(a, 'POST', `/records/${record.id}/commit`), 400, MISSING_KEY);
    expectError(await call(a, 'DELETE', `/records/${record.id}`), 400, MISSING_KEY);
    expect(await records(a)).toEqual([record]);
  });

  test('Server B: submit, confirm and withdraw without one are refused and change nothing', async () => {
    const b = await serverB();
    const created = await call<Publication>(b, 'POST', '/publications', { body: { recordId: 'rec_x', content: 'fine' }, key: newKey() });

    expectError(await call(b, 'POST', '/publications', { body: { recordId: 'rec_y', content: 'fine' } }), 400, MISSING_KEY);
    expectError(await call(b, 'POST', `/publications/${created.body.id}/confirm`), 400, MISSING_KEY);
    expectError(await call(b, 'DELETE', `/publications/${created.body.id}`), 400, MISSING_KEY);
    expect(await publications(b)).toEqual([created.body]);
  });

  test('a key of 255 visible characters is accepted', async () => {
    const a = await serverA();
    const key = 'k'.repeat(254) + '~';

    const res = await reserve(a, key);

    expect(res.status).toBe(201);
    expect(res.body.createdByKey).toBe(key);
  });

  test.each([
    ['256 characters', 'k'.repeat(256)],
    ['1000 characters', 'x'.repeat(1000)],
    ['a space', 'has space'],
  ])('a key with %s is a 400 naming the header, and creates nothing', async (_, key) => {
    const a = await serverA();

    expectError(await reserve(a, key), 400, MALFORMED_KEY);
    expect(await records(a)).toEqual([]);
  });

  test('reading needs no key', async () => {
    const a = await serverA();
    const record = await reserved(a);

    expect((await call(a, 'GET', `/records/${record.id}`)).status).toBe(200);
    expect((await call(a, 'GET', '/records')).status).toBe(200);
    expect((await call(a, 'POST', '/validate', { body: { data: 'x' } })).status).toBe(200);
  });
});

describe('the same key with the same request gets the first answer again', () => {
  test('a repeated POST /records answers the same 201 and body, marked replayed, and creates one record', async () => {
    const a = await serverA();
    const key = newKey();

    const first = await reserve(a, key);
    const second = await reserve(a, key);
    const third = await reserve(a, key);

    expect(first.status).toBe(201);
    expect(first.headers.get(REPLAYED)).toBeNull();
    expectReplayOf(second, first);
    expectReplayOf(third, first);
    expect(await records(a)).toEqual([first.body]);
  });

  test('the replay is the stored answer, not a fresh look: it still says reserved after the record was committed', async () => {
    const a = await serverA();
    const key = newKey();
    const first = await reserve(a, key);
    expect((await commit(a, first.body.id, newKey())).status).toBe(200);

    const again = await reserve(a, key);

    expectReplayOf(again, first);
    expect(again.body.status).toBe('reserved');
  });

  test('a repeated commit answers the first 200 again, with the first updatedAt', async () => {
    const a = await serverA();
    const record = await reserved(a);
    const key = newKey();

    const first = await commit(a, record.id, key);
    // Once the clock has moved past the first answer's updatedAt, a commit applied again would show a new one.
    await expect.poll(() => Date.now()).toBeGreaterThan(Date.parse((first.body as DataRecord).updatedAt));
    const second = await commit(a, record.id, key);

    expect(first.status).toBe(200);
    expectReplayOf(second, first);
  });

  test('Server B: a repeated submit creates one publication', async () => {
    const b = await serverB();
    const key = newKey();
    const body = { recordId: 'rec_once', content: 'published once' };

    const first = await call<Publication>(b, 'POST', '/publications', { body, key });
    const second = await call<Publication>(b, 'POST', '/publications', { body, key });

    expect(first.status).toBe(201);
    expectReplayOf(second, first);
    expect(await publications(b)).toEqual([first.body]);
  });
});

describe('the same key with a different request is a 422', () => {
  test('a different body is a 422 IDEMPOTENCY_KEY_REUSED naming the header; the first stays the only effect', async () => {
    const a = await serverA();
    const key = newKey();
    const first = await reserve(a, key, 'the first data');

    expectError(await reserve(a, key, 'other data'), 422, KEY_REUSED);

    expect(await records(a)).toEqual([first.body]);
  });

  test('the refusal is not stored: the first request still replays afterwards', async () => {
    const a = await serverA();
    const key = newKey();
    const first = await reserve(a, key, 'the first data');
    await reserve(a, key, 'other data');

    expectReplayOf(await reserve(a, key, 'the first data'), first);
  });

  test('the same key on another endpoint or another id is a different request too', async () => {
    const a = await serverA();
    const key = newKey();
    const record = (await reserve(a, key)).body;
    const other = await reserved(a);
    const commitKey = newKey();
    expect((await commit(a, record.id, commitKey)).status).toBe(200);

    expectError(await commit(a, record.id, key), 422, KEY_REUSED);
    expectError(await commit(a, other.id, commitKey), 422, KEY_REUSED);
    expectError(await release(a, record.id, commitKey), 422, KEY_REUSED);
    expect((await call<DataRecord>(a, 'GET', `/records/${other.id}`)).body.status).toBe('reserved');
  });
});

describe('the same key while the first request is in flight is a 409', () => {
  test('409 REQUEST_IN_PROGRESS with Retry-After: 1; once the first is done, a retry gets its answer', async () => {
    const a = await serverA();
    const key = newKey();

    const slow = reserve(a, key, 'some data', { 'x-simulate-delay-ms': '1000' });
    await untilInFlight(a, 'POST /records', 1);
    const duplicate = await reserve(a, key);
    const meanwhile = await records(a);
    const first = await slow;
    const retry = await reserve(a, key);

    expectError(duplicate, 409, IN_PROGRESS);
    expect(duplicate.headers.get('retry-after')).toBe('1');
    expect(duplicate.headers.get(REPLAYED)).toBeNull();
    expect(meanwhile).toEqual([]);
    expect(first.status).toBe(201);
    expectReplayOf(retry, first);
    expect(await records(a)).toEqual([first.body]);
  });

  test('a different request under the busy key is still a 422, not a 409', async () => {
    const a = await serverA();
    const key = newKey();

    const slow = reserve(a, key, 'some data', { 'x-simulate-delay-ms': '1000' });
    await untilInFlight(a, 'POST /records', 1);
    const other = await reserve(a, key, 'different data');
    await slow;

    expectError(other, 422, KEY_REUSED);
  });
});

describe('client-error answers are stored and replayed too', () => {
  test("Server B's 422 rule violation is answered again, marked replayed, and still creates nothing", async () => {
    const b = await serverB();
    const key = newKey();
    const body = { recordId: 'rec_x', content: 'buy this spam' };

    const first = await call(b, 'POST', '/publications', { body, key });
    const second = await call(b, 'POST', '/publications', { body, key });

    expectError(first, 422, error('RULE_VIOLATION', 'rule no-banned-words: the content contains "spam"', 'content'));
    expect(first.headers.get(REPLAYED)).toBeNull();
    expectReplayOf(second, first);
    expect(await publications(b)).toEqual([]);
  });

  test('a 409 transition is answered again even after the record could have moved on', async () => {
    const a = await serverA();
    const record = await reserved(a);
    await release(a, record.id, newKey());
    const key = newKey();

    const first = await commit(a, record.id, key);
    const second = await commit(a, record.id, key);

    expect(first.status).toBe(409);
    expect(first.body).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
    expectReplayOf(second, first);
  });

  test('a 404 for an unknown id is answered again', async () => {
    const a = await serverA();
    const key = newKey();

    const first = await commit(a, 'rec_unknown', key);
    const second = await commit(a, 'rec_unknown', key);

    expectError(first, 404, error('NOT_FOUND', 'No record rec_unknown'));
    expectReplayOf(second, first);
  });
});

describe('after the 24 h retention, the key still finds what it created', () => {
  const directory = temporaryDirectory('idempotency-');

  /** Ages every stored answer past the retention, through a second connection to the service's database file. */
  function ageStoredAnswers(database: string): void {
    const db = openDatabase(database);
    try {
      db.prepare('UPDATE idempotency_keys SET claimed_at = claimed_at - ?').run(KEEP_MS + 1);
    } finally {
      db.close();
    }
  }

  test('Server A: a late retry of a reserve answers the record it created, not a 500 or a second record', async () => {
    const database = join(directory(), `a-${randomUUID()}.db`);
    const a = await serverA(undefined, database);
    const key = newKey();
    const first = await reserve(a, key, 'late retry');
    ageStoredAnswers(database);

    const late = await reserve(a, key, 'late retry');

    expect(late.status).toBe(201);
    expect(late.body).toEqual(first.body);
    expect(await records(a)).toEqual([first.body]);
  });

  test('Server A: the key with other data after the retention is a 422 IDEMPOTENCY_KEY_REUSED naming the record', async () => {
    const database = join(directory(), `a-${randomUUID()}.db`);
    const a = await serverA(undefined, database);
    const key = newKey();
    const first = await reserve(a, key, 'the first data');
    ageStoredAnswers(database);

    const late = await reserve(a, key, 'other data');

    expectError(late, 422, error('IDEMPOTENCY_KEY_REUSED', `This Idempotency-Key already created record ${first.body.id} from other data`, 'Idempotency-Key'));
    expect(await records(a)).toEqual([first.body]);
  });

  test('Server B: a late retry of a submit answers the publication it created; other content is a 422', async () => {
    const database = join(directory(), `b-${randomUUID()}.db`);
    const b = await serverB(undefined, database);
    const key = newKey();
    const body = { recordId: 'rec_late', content: 'late content' };
    const first = await call<Publication>(b, 'POST', '/publications', { body, key });
    ageStoredAnswers(database);

    const late = await call<Publication>(b, 'POST', '/publications', { body, key });
    ageStoredAnswers(database);
    const changed = await call<Publication>(b, 'POST', '/publications', { body: { ...body, content: 'changed' }, key });

    expect(late.status).toBe(201);
    expect(late.body).toEqual(first.body);
    expectError(
      changed,
      422,
      error('IDEMPOTENCY_KEY_REUSED', `This Idempotency-Key already created publication ${first.body.id} from another record or content`, 'Idempotency-Key'),
    );
    expect(await publications(b)).toEqual([first.body]);
  });
});

describe('the fault knob: x-fault-after-apply', () => {
  test('503: the record is created, the answer is 503 SIMULATED_FAULT, and a retry gets the stored 201 with the same id', async () => {
    const a = await serverA();
    const key = newKey();

    const faulted = await reserve(a, key, 'some data', { 'x-fault-after-apply': '503' });
    const afterFault = await records(a);
    const retry = await reserve(a, key);

    expectError(faulted, 503, SIMULATED_FAULT);
    expect(afterFault).toEqual([expect.objectContaining({ status: 'reserved', createdByKey: key })]);
    expect(retry.status).toBe(201);
    expect(retry.headers.get(REPLAYED)).toBe('true');
    expect(retry.body).toEqual(afterFault[0]);
    expect(await records(a)).toEqual([retry.body]);
  });

  test('drop: the connection is destroyed (fetch rejects), the record exists, and a retry gets the stored 201', async () => {
    const a = await serverA();
    const key = newKey();

    await expect(reserve(a, key, 'some data', { 'x-fault-after-apply': 'drop' })).rejects.toThrow();
    const afterDrop = await records(a);
    const retry = await reserve(a, key);

    expect(afterDrop).toEqual([expect.objectContaining({ status: 'reserved', createdByKey: key })]);
    expect(retry.status).toBe(201);
    expect(retry.headers.get(REPLAYED)).toBe('true');
    expect(retry.body).toEqual(afterDrop[0]);
    expect(await records(a)).toEqual([retry.body]);
  });

  test('503 on a commit: the record is committed, and the retry gets the stored 200', async () => {
    const a = await serverA();
    const record = await reserved(a);
    const key = newKey();

    expectError(await commit(a, record.id, key, { 'x-fault-after-apply': '503' }), 503, SIMULATED_FAULT);
    const committed = (await call<DataRecord>(a, 'GET', `/records/${record.id}`)).body;
    const retry = await commit(a, record.id, key);

    expect(committed.status).toBe('committed');
    expectReplayOf(retry, { status: 200, body: committed });
  });

  test('Server B, drop on a submit: one publication, and the retry gets it', async () => {
    const b = await serverB();
    const key = newKey();
    const body = { recordId: 'rec_x', content: 'fine content' };

    await expect(call(b, 'POST', '/publications', { body, key, headers: { 'x-fault-after-apply': 'drop' } })).rejects.toThrow();
    const retry = await call<Publication>(b, 'POST', '/publications', { body, key });

    expect(retry.status).toBe(201);
    expect(retry.headers.get(REPLAYED)).toBe('true');
    expect(await publications(b)).toEqual([retry.body]);
  });

  test('an answer that is not a change (a 409) is sent as it is: nothing was applied to lose', async () => {
    const a = await serverA();
    const record = await reserved(a);
    await release(a, record.id, newKey());

    const res = await commit(a, record.id, newKey(), { 'x-fault-after-apply': '503' });

    expect(res.status).toBe(409);
  });

  test('a retry that carries the knob again gets the stored answer, not a second fault', async () => {
    const a = await serverA();
    const key = newKey();
    const first = await reserve(a, key);

    expectReplayOf(await reserve(a, key, 'some data', { 'x-fault-after-apply': '503' }), first);
  });
});

describe('bad knob values are refused before anything happens', () => {
  test.each([
    ['x-fault-after-apply', 'maybe', 'x-fault-after-apply must be 503 or drop'],
    ['x-fault-after-apply', '500', 'x-fault-after-apply must be 503 or drop'],
    ['x-simulate-delay-ms', '-1', 'x-simulate-delay-ms must be a whole number of milliseconds from 0 to 10000'],
    ['x-simulate-delay-ms', '10001', 'x-simulate-delay-ms must be a whole number of milliseconds from 0 to 10000'],
    ['x-simulate-delay-ms', '1.5', 'x-simulate-delay-ms must be a whole number of milliseconds from 0 to 10000'],
    ['x-simulate-delay-ms', 'soon', 'x-simulate-delay-ms must be a whole number of milliseconds from 0 to 10000'],
    ['x-simulate-delay-ms', '', 'x-simulate-delay-ms must be a whole number of milliseconds from 0 to 10000'],
    ['x-simulate-delay-ms', '0x10', 'x-simulate-delay-ms must be a whole number of milliseconds from 0 to 10000'],
  ])('%s: %j is a 400 INVALID_FIELD naming the header; nothing is applied and the key stays free', async (header, value, message) => {
    const a = await serverA();
    const key = newKey();

    expectError(await reserve(a, key, 'some data', { [header]: value }), 400, error('INVALID_FIELD', message, header));
    expect(await records(a)).toEqual([]);

    const retry = await reserve(a, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get(REPLAYED)).toBeNull();
  });

  test('x-simulate-delay-ms: 0 is accepted', async () => {
    const a = await serverA();

    expect((await reserve(a, newKey(), 'some data', { 'x-simulate-delay-ms': '0' })).status).toBe(201);
  });
});

describe('a fault plan given to the app', () => {
  test('afterApply 503 on commits, times 1: only the first commit fails, after committing; other endpoints are untouched', async () => {
    const a = await serverA({ afterApply: '503', endpoints: ['POST /records/:id/commit'], times: 1 });
    const first = await reserved(a);
    const second = await reserved(a);
    const key = newKey();

    expectError(await commit(a, first.id, key), 503, SIMULATED_FAULT);
    expect((await call<DataRecord>(a, 'GET', `/records/${first.id}`)).body.status).toBe('committed');
    const retry = await commit(a, first.id, key);
    const secondCommit = await commit(a, second.id, newKey());

    expect(retry.status).toBe(200);
    expect(retry.headers.get(REPLAYED)).toBe('true');
    expect(secondCommit.status).toBe(200);
    expect(secondCommit.headers.get(REPLAYED)).toBeNull();
  });

  test('without endpoints it applies to every mutating endpoint, and never to reads', async () => {
    const a = await serverA({ afterApply: '503' });

    const created = await reserve(a, newKey());
    const listed = await records(a);

    expectError(created, 503, SIMULATED_FAULT);
    expect(listed).toHaveLength(1);
    expect((await call(a, 'GET', `/records/${listed[0]!.id}`)).status).toBe(200);
    expectError(await release(a, listed[0]!.id, newKey()), 503, SIMULATED_FAULT);
    expect((await call(a, 'POST', '/validate', { body: { data: 'x' } })).status).toBe(200);
  });

  test('rate: a change fails exactly when the random draw is below it', async () => {
    const draws = [0.7, 0.3];
    const a = await serverA({ afterApply: 'drop', rate: 0.5, random: () => draws.shift() ?? 1 });

    const kept = await reserve(a, newKey());
    const dropped = reserve(a, newKey());

    expect(kept.status).toBe(201);
    await expect(dropped).rejects.toThrow();
    expect(await records(a)).toHaveLength(2);
  });

  test('each app counts its own times: one plan object given to two apps fails once in each', async () => {
    const plan: FaultPlan = { afterApply: '503', times: 1 };
    const one = await serverA(plan);
    const two = await serverA(plan);

    expect((await reserve(one, newKey())).status).toBe(503);
    expect((await reserve(two, newKey())).status).toBe(503);
    expect((await reserve(one, newKey())).status).toBe(201);
    expect(plan.times).toBe(1);
  });
});

describe('the fault knob settings', () => {
  const configError = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (problem) {
      expect(problem).toBeInstanceOf(ConfigError);
      return problem as ConfigError;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  };

  test.each([
    ['FAULT_AFTER_APPLY', 'maybe', 'FAULT_AFTER_APPLY must be empty, 503 or drop (got "maybe")'],
    ['FAULT_RATE', '1.5', 'FAULT_RATE must be a number from 0 to 1 (got "1.5")'],
    ['FAULT_RATE', 'often', 'FAULT_RATE must be a number from 0 to 1 (got "often")'],
  ])('%s=%j is a ConfigError naming the variable', (name, value, problem) => {
    const failure = configError({ [name]: value });

    expect(failure.problems).toEqual([problem]);
    expect(failure.message).toBe(`Invalid configuration:\n  - ${problem}`);
  });

  test('FAULT_AFTER_APPLY and FAULT_RATE are read', () => {
    expect(loadConfig({ FAULT_AFTER_APPLY: '503', FAULT_RATE: '0.1' }).faults).toEqual({ afterApply: '503', rate: 0.1 });
    expect(loadConfig({ FAULT_AFTER_APPLY: ' drop ' }).faults).toEqual({ afterApply: 'drop', rate: 1 });
    expect(loadConfig({}).faults).toEqual({ afterApply: undefined, rate: 1 });
  });

  describe('the entry point', () => {
    afterEach(killLeftovers);

    test('FAULT_AFTER_APPLY=503 makes the real Server A apply a change, answer 503, and replay it on retry', async () => {
      const {
        process: child,
        service: { url },
      } = await startProcess('server-a', ':memory:', { FAULT_AFTER_APPLY: '503', FAULT_RATE: '1' });
      const key = newKey();

      const faulted = await call({ url }, 'POST', '/records', { body: { data: 'x' }, key });
      const retry = await call<DataRecord>({ url }, 'POST', '/records', { body: { data: 'x' }, key });
      process.kill(child.pid, 'SIGTERM');

      expectError(faulted, 503, SIMULATED_FAULT);
      expect(retry.status).toBe(201);
      expect(retry.headers.get(REPLAYED)).toBe('true');
      expect(await child.exited).toBe(0);
    });

    test('FAULT_AFTER_APPLY=maybe stops Server B at start with exit 2, naming the variable', async () => {
      const child = startNode('server-b/index.ts', [], { SERVER_B_DB: ':memory:', SERVER_B_PORT: '0', FAULT_AFTER_APPLY: 'maybe' });

      expect(await child.exited).toBe(2);
      expect(child.output()).toContain('FAULT_AFTER_APPLY must be empty, 503 or drop (got "maybe")');
    });
  });
});

describe('IdempotencyStore on its own (a fake clock)', () => {
  const T0 = Date.UTC(2025, 0, 1);
  const OK: StoredAnswer = { status: 201, body: { id: 'x1' } };
  const FINGERPRINT = IdempotencyStore.fingerprint('POST', '/things', { a: 1 });
  const OTHER_FINGERPRINT = IdempotencyStore.fingerprint('POST', '/things', { a: 2 });

  afterEach(() => vi.useRealTimers());

  /** A store over a fresh in-memory database, at a time the test sets (only Date is faked). */
  function storeAt(start = T0) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE things (id TEXT PRIMARY KEY)');
    const store = new IdempotencyStore(db);
    const things = () => (db.prepare('SELECT id FROM things ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
    const insert = (id: string) => db.prepare('INSERT INTO things (id) VALUES (?)').run(id);
    return { store, things, insert };
  }

  const thrown = (work: () => unknown): unknown => {
    try {
      work();
    } catch (problem) {
      return problem;
    }
    throw new Error('expected a throw');
  };

  test('an answer is replayed for 24 hours and forgotten after that', () => {
    const { store } = storeAt();
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'new' });
    store.apply('k', () => OK);

    vi.setSystemTime(T0 + KEEP_MS - 1);
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'replay', answer: OK });

    vi.setSystemTime(T0 + KEEP_MS + 1);
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'new' });
  });

  test('a forgotten key may be used for a different request', () => {
    const { store } = storeAt();
    store.claim('k', FINGERPRINT);
    store.apply('k', () => OK);

    vi.setSystemTime(T0 + KEEP_MS + 1);
    expect(store.claim('k', OTHER_FINGERPRINT)).toEqual({ kind: 'new' });
  });

  test('a claim younger than 30 s is in progress (409 with Retry-After: 1); an older one is taken over', () => {
    const { store } = storeAt();
    store.claim('k', FINGERPRINT);

    vi.setSystemTime(T0 + CLAIM_LEASE_MS - 1);
    const busy = thrown(() => store.claim('k', FINGERPRINT));
    expect(busy).toBeInstanceOf(HttpError);
    expect(busy).toMatchObject({ status: 409, code: 'REQUEST_IN_PROGRESS', headers: { 'Retry-After': '1' } });

    vi.setSystemTime(T0 + CLAIM_LEASE_MS + 1);
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'new' });
    // The new claim has a lease of its own.
    expect(thrown(() => store.claim('k', FINGERPRINT))).toMatchObject({ status: 409 });
  });

  test('a claim abandoned for over 24 hours is forgotten, whatever the next request under its key', () => {
    const { store } = storeAt();
    store.claim('k', FINGERPRINT);

    vi.setSystemTime(T0 + KEEP_MS + 1);
    expect(store.claim('k', OTHER_FINGERPRINT)).toEqual({ kind: 'new' });
  });

  test('a different request under a key is a 422, whether the first is done or not', () => {
    const { store } = storeAt();
    store.claim('done', FINGERPRINT);
    store.apply('done', () => OK);
    store.claim('busy', FINGERPRINT);

    for (const key of ['done', 'busy']) {
      expect(thrown(() => store.claim(key, OTHER_FINGERPRINT))).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' });
    }
  });

  test('the effect and its answer are one transaction: an answer that cannot be stored undoes the effect and frees the key', () => {
    const { store, things, insert } = storeAt();
    store.claim('k', FINGERPRINT);

    expect(() =>
      store.apply('k', () => {
        insert('effect');
        return { status: 201, body: { size: 1n } };
      }),
    ).toThrow(TypeError);

    expect(things()).toEqual([]);
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'new' });
  });

  test('an unexpected failure undoes the effect, is passed on, and frees the key for a retry that runs anew', () => {
    const { store, things, insert } = storeAt();
    store.claim('k', FINGERPRINT);

    expect(() =>
      store.apply('k', () => {
        insert('half-done');
        throw new Error('disk on fire');
      }),
    ).toThrow('disk on fire');

    expect(things()).toEqual([]);
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'new' });
    expect(store.apply('k', () => (insert('done'), OK))).toEqual(OK);
    expect(things()).toEqual(['done']);
  });

  test('a 5xx HttpError is not stored either', () => {
    const { store } = storeAt();
    store.claim('k', FINGERPRINT);

    expect(() =>
      store.apply('k', () => {
        throw new HttpError(503, 'UPSTREAM_UNAVAILABLE', 'later');
      }),
    ).toThrow('later');

    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'new' });
  });

  test('a 4xx HttpError undoes the effect but its answer is stored and replayed', () => {
    const { store, things, insert } = storeAt();
    store.claim('k', FINGERPRINT);

    const answer = store.apply('k', () => {
      insert('partial');
      throw new HttpError(409, 'INVALID_TRANSITION', 'no', { field: 'x' });
    });

    expect(answer).toEqual({ status: 409, body: { error: { code: 'INVALID_TRANSITION', message: 'no', field: 'x' } } });
    expect(things()).toEqual([]);
    expect(store.claim('k', FINGERPRINT)).toEqual({ kind: 'replay', answer });
  });

  test('the fingerprint covers method, path and body', () => {
    const base = IdempotencyStore.fingerprint('POST', '/records', { data: 'x' });

    expect(IdempotencyStore.fingerprint('POST', '/records', { data: 'x' })).toBe(base);
    expect(IdempotencyStore.fingerprint('DELETE', '/records', { data: 'x' })).not.toBe(base);
    expect(IdempotencyStore.fingerprint('POST', '/records/a', { data: 'x' })).not.toBe(base);
    expect(IdempotencyStore.fingerprint('POST', '/records', { data: 'y' })).not.toBe(base);
  });
});
