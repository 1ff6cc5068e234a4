// Server B's own endpoints on a real service: /process-external, /enrich and the simulated third party (its latency, failures and bounds), and a 400 naming each bad field.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { EnrichResponse, ProcessExternalResponse, ThirdPartyResponse } from '../server-b/contract.ts';
import type { ErrorBody, PingResponse, StatusResponse } from '../shared/contract.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { startServerB } from './support/services.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

async function post<T>(base: RunningService, path: string, body: unknown): Promise<Answer<T>> {
  const res = await fetch(`${base.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

let server: RunningService;

beforeAll(async () => {
  server = await startServerB();
});

afterAll(async () => {
  await server.close();
});

describe('GET /ping', () => {
  test('answers with the service name, the package.json version, status ok and the uptime', async () => {
    const res = await fetch(`${server.url}/ping`);
    const body = (await res.json()) as PingResponse;

    expect(res.status).toBe(200);
    expect(body).toEqual({ service: 'server-b', status: 'ok', version: packageVersion, uptimeSeconds: expect.any(Number) });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('POST /process-external', () => {
  const processExternal = (body: unknown) => post<ProcessExternalResponse>(server, '/process-external', body);
  const expectedReference = (normalized: string) => `EXT-${sha256Hex(normalized).slice(0, 12).toUpperCase()}`;

  test('derives the reference and the sorted distinct words from the normalized data', async () => {
    const before = Date.now();
    const res = await processExternal({ data: 'The quick brown fox jumps over the lazy dog. The DOG sleeps.', contentHash: 'abc123' });
    const after = Date.now();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      reference: expectedReference('the quick brown fox jumps over the lazy dog. the dog sleeps.'),
      uniqueWords: ['brown', 'dog', 'fox', 'jumps', 'lazy', 'over', 'quick', 'sleeps', 'the'],
      uniqueWordCount: 9,
      contentHash: 'abc123',
      processedBy: 'server-b',
      processedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(res.body.reference).toMatch(/^EXT-[0-9A-F]{12}$/);
    expect(Date.parse(res.body.processedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(res.body.processedAt)).toBeLessThanOrEqual(after);
  });

  test('the reference is the same for data that normalizes to the same text', async () => {
    const first = await processExternal({ data: 'Order 1234 shipped' });
    const second = await processExternal({ data: '  ORDER   1234\n shipped ' });

    expect(first.body.reference).toBe(expectedReference('order 1234 shipped'));
    expect(second.body.reference).toBe(first.body.reference);
  });

  test('lists at most 20 words while uniqueWordCount counts all of them', async () => {
    const distinct = Array.from({ length: 25 }, (_, i) => `w${String(i + 1).padStart(2, '0')}`);
    const data = [...distinct].reverse().concat(distinct.slice(0, 5)).join(' ');

    const { body } = await processExternal({ data });

    expect(body.uniqueWords).toEqual(distinct.slice(0, 20));
    expect(body.uniqueWordCount).toBe(25);
  });

  test('contentHash is null when not given', async () => {
    const { body } = await processExternal({ data: 'no hash here' });

    expect(body.contentHash).toBeNull();
  });

  test('a contentHash that is not a string is a 400 naming the field', async () => {
    const res = await post<ErrorBody>(server, '/process-external', { data: 'x', contentHash: 42 });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'INVALID_FIELD', message: '"contentHash" must be a string, got number', field: 'contentHash' } });
  });
});

describe('POST /enrich', () => {
  const enrich = async (data: string, reference?: string): Promise<EnrichResponse> => {
    const res = await post<EnrichResponse>(server, '/enrich', reference === undefined ? { data } : { data, reference });
    expect(res.status).toBe(200);
    return res.body;
  };

  describe('category', () => {
    test('incident wins over commerce', async () => {
      expect(await enrich('The payment failed with an error')).toEqual({
        category: 'incident',
        score: 65,
        keywords: ['error', 'failed', 'payment', 'with'],
        reference: null,
        enrichedBy: 'server-b',
        enrichedAt: expect.stringMatching(ISO_TIMESTAMP),
      });
    });

    test('commerce wins over greeting', async () => {
      expect(await enrich('Hello, I want a refund for my order')).toMatchObject({
        category: 'commerce',
        score: 70,
        keywords: ['hello', 'order', 'refund', 'want'],
      });
    });

    test('greeting wins over question', async () => {
      expect(await enrich('Hey there, how are you today?')).toMatchObject({ category: 'greeting', score: 65, keywords: ['there', 'today'] });
    });

    test('question when no vocabulary word matches and the text ends with "?"', async () => {
      expect(await enrich('What time does the shop open?')).toMatchObject({
        category: 'question',
        score: 65,
        keywords: ['does', 'open', 'shop', 'time', 'what'],
      });
    });

    test('trailing whitespace after the question mark still makes a question', async () => {
      expect((await enrich('Is it ready?  \n')).category).toBe('question');
    });

    test('general when nothing matches', async () => {
      expect(await enrich('The weather is very nice today')).toMatchObject({
        category: 'general',
        score: 65,
        keywords: ['nice', 'today', 'very', 'weather'],
      });
    });

    test('a question mark that is not at the end does not make a question', async () => {
      expect((await enrich('Why? Because.')).category).toBe('general');
    });

    test('vocabulary matches whole words only, not substrings', async () => {
      expect((await enrich('This history of errorless shopping')).category).toBe('general');
    });

    test('vocabulary matching ignores case', async () => {
      expect((await enrich('SERVER CRASH REPORTED')).category).toBe('incident');
    });
  });

  describe('score', () => {
    test('is 0 for data without words', async () => {
      expect(await enrich('')).toMatchObject({ category: 'general', score: 0, keywords: [] });
    });

    test('a lone question mark is a question with score 0', async () => {
      expect(await enrich('?')).toMatchObject({ category: 'question', score: 0, keywords: [] });
    });

    test('is 100 for 20 distinct words', async () => {
      const data = Array.from({ length: 20 }, (_, i) => `word${String(i + 1).padStart(2, '0')}`).join(' ');

      expect(await enrich(data)).toMatchObject({
        score: 100,
        keywords: ['word01', 'word02', 'word03', 'word04', 'word05'],
      });
    });

    test('one word repeated 3 times scores 24 (16.67 diversity + 7.5 length)', async () => {
      expect(await enrich('error error error')).toMatchObject({ category: 'incident', score: 24, keywords: ['error'] });
    });

    test('one word repeated 25 times scores 52 (length saturates at 20 words)', async () => {
      expect(await enrich(Array(25).fill('ha').join(' '))).toMatchObject({ category: 'general', score: 52, keywords: [] });
    });
  });

  describe('keywords', () => {
    test('words of 4+ letters, most frequent first, ties alphabetical, at most 5', async () => {
      const body = await enrich('Delta alpha charlie delta bravo alpha delta echo foxtrot golf cat cat cat cat');

      expect(body).toMatchObject({
        category: 'general',
        score: 64,
        keywords: ['delta', 'alpha', 'bravo', 'charlie', 'echo'],
      });
    });
  });

  describe('reference', () => {
    test('is echoed when given', async () => {
      expect((await enrich('hello', 'EXT-0123456789AB')).reference).toBe('EXT-0123456789AB');
    });

    test('is null when not given', async () => {
      expect((await enrich('hello')).reference).toBeNull();
    });

    test('that is not a string is a 400 naming the field', async () => {
      const res = await post<ErrorBody>(server, '/enrich', { data: 'x', reference: ['EXT-1'] });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'INVALID_FIELD', message: '"reference" must be a string, got array', field: 'reference' } });
    });
  });
});

describe('POST /third-party-api', () => {
  const started: RunningService[] = [];
  const start = async (options: Parameters<typeof startServerB>[0]) => {
    const service = await startServerB(options);
    started.push(service);
    return service;
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });

  const callThirdParty = (body: unknown, target: RunningService = server) => post<ThirdPartyResponse & ErrorBody>(target, '/third-party-api', body);
  const thirdPartyLatency = async (target: RunningService) =>
    ((await (await fetch(`${target.url}/status`)).json()) as StatusResponse).endpoints['POST /third-party-api']!.latencyMs;

  describe('success', () => {
    test('answers with the reversed query and its length', async () => {
      const before = Date.now();
      const res = await callThirdParty({ query: 'hello world', latencyMs: 0, failureRate: 0 });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        provider: 'simulated-third-party',
        query: 'hello world',
        answer: { reversed: 'dlrow olleh', length: 11 },
        latencyMs: 0,
        answeredAt: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect(Date.parse(res.body.answeredAt)).toBeGreaterThanOrEqual(before);
      expect(res.headers.get('retry-after')).toBeNull();
    });

    test('reverses and counts by code point, keeping astral characters intact', async () => {
      const res = await callThirdParty({ query: 'ab😀', latencyMs: 0, failureRate: 0 });

      expect(res.body.answer).toEqual({ reversed: '😀ba', length: 3 });
    });

    test('the requested latency is applied', async () => {
      const fresh = await start({});
      const res = await callThirdParty({ query: 'slow', latencyMs: 150, failureRate: 0 }, fresh);

      expect(res.status).toBe(200);
      expect(res.body.latencyMs).toBe(150);
      // The service's own measure of the call (timers may fire a hair early against performance.now()).
      expect((await thirdPartyLatency(fresh)).max).toBeGreaterThanOrEqual(145);
    });
  });

  describe('simulated failures', () => {
    test('failureRate 1 answers 503 UPSTREAM_UNAVAILABLE with Retry-After 1 by default', async () => {
      const res = await callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1 });

      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toEqual({ error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Simulated outage; retry after 1s' } });
    });

    test('failureStatus 429 answers 429 RATE_LIMITED', async () => {
      const res = await callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1, failureStatus: 429 });

      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: 'Simulated rate limit; retry after 1s' } });
    });

    test('failureStatus 503 is the same as the default failure', async () => {
      const res = await callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1, failureStatus: 503 });

      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    test('retryAfterSeconds is sent in the Retry-After header and the message', async () => {
      const res = await callThirdParty({ query: 'q', latencyMs: 0, failureRate: 1, failureStatus: 429, retryAfterSeconds: 7 });

      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.body.error.message).toBe('Simulated rate limit; retry after 7s');
    });

    test('failureStatus alone does not cause a failure when failureRate is 0', async () => {
      const res = await callThirdParty({ query: 'q', latencyMs: 0, failureRate: 0, failureStatus: 429 });

      expect(res.status).toBe(200);
    });
  });

  describe('service-level settings', () => {
    test('the configured latency is used when the request gives none', async () => {
      const slow = await start({ thirdParty: { latencyMs: 120, failureRate: 0 } });

      const res = await callThirdParty({ query: 'q' }, slow);

      expect(res.status).toBe(200);
      expect(res.body.latencyMs).toBe(120);
      expect((await thirdPartyLatency(slow)).max).toBeGreaterThanOrEqual(115);
    });

    test('the configured failure rate is used when the request gives none', async () => {
      const failing = await start({ thirdParty: { latencyMs: 0, failureRate: 1 } });

      const res = await callThirdParty({ query: 'q' }, failing);

      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    test('request values override the configured ones', async () => {
      const failing = await start({ thirdParty: { latencyMs: 5_000, failureRate: 1 } });

      const res = await callThirdParty({ query: 'q', latencyMs: 0, failureRate: 0 }, failing);

      expect(res.status).toBe(200);
      expect(res.body.latencyMs).toBe(0);
    });

    test('a fractional failure rate fails exactly when the random draw is below it', async () => {
      const draws = [0.1, 0.7, 0.49, 0.5];
      const seeded = await start({ thirdParty: { latencyMs: 0, failureRate: 0.5 }, random: () => draws.shift() ?? 1 });

      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await callThirdParty({ query: `q${i}` }, seeded)).status);

      expect(statuses).toEqual([503, 200, 503, 200]);
      expect(draws).toEqual([]);
    });

    test('a per-request fractional failure rate uses the same random draw', async () => {
      const seeded = await start({ random: () => 0.25 });

      expect((await callThirdParty({ query: 'q', failureRate: 0.25 }, seeded)).status).toBe(200);
      expect((await callThirdParty({ query: 'q', failureRate: 0.26 }, seeded)).status).toBe(503);
    });
  });

  describe('invalid requests', () => {
    test.each([
      ['latencyMs', -1, '"latencyMs" must be a whole number from 0 to 20000, got -1'],
      ['latencyMs', 20_001, '"latencyMs" must be a whole number from 0 to 20000, got 20001'],
      ['latencyMs', '100', '"latencyMs" must be a whole number from 0 to 20000, got "100"'],
      ['latencyMs', null, '"latencyMs" must be a whole number from 0 to 20000, got null'],
      ['latencyMs', 12.5, '"latencyMs" must be a whole number from 0 to 20000, got 12.5'],
      ['failureRate', 1.5, '"failureRate" must be a number from 0 to 1, got 1.5'],
      ['failureRate', -0.1, '"failureRate" must be a number from 0 to 1, got -0.1'],
      ['failureStatus', 500, '"failureStatus" must be one of 429, 503, got 500'],
      ['failureStatus', '429', '"failureStatus" must be one of 429, 503, got "429"'],
      ['retryAfterSeconds', 3601, '"retryAfterSeconds" must be a whole number from 0 to 3600, got 3601'],
      // HTTP's Retry-After is whole seconds: a fraction would be sent as a header the caller must ignore.
      ['retryAfterSeconds', 0.5, '"retryAfterSeconds" must be a whole number from 0 to 3600, got 0.5'],
      ['retryAfterSeconds', 1e-7, '"retryAfterSeconds" must be a whole number from 0 to 3600, got 1e-7'],
    ])('%s = %j is a 400 naming the field', async (field, value, message) => {
      const res = await callThirdParty({ query: 'q', [field]: value });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'INVALID_FIELD', message, field } });
    });

    test('a missing query is a 400 MISSING_FIELD', async () => {
      const res = await callThirdParty({ latencyMs: 0 });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'MISSING_FIELD', message: '"query" is required', field: 'query' } });
    });
  });
});
