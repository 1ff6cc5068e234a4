// Server A's own endpoints on a real service: /ping, /validate's rules and /process-internal's results, and a 400 naming each bad field.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody, PingResponse } from '../shared/contract.ts';
import type { ProcessInternalResponse, ValidateResponse } from '../server-a/contract.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { startServerA } from './support/services.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: RunningService;

beforeAll(async () => {
  server = await startServerA();
});

afterAll(async () => {
  await server.close();
});

async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const validate = (body: unknown) => post<ValidateResponse>('/validate', body);
const processInternal = (body: unknown) => post<ProcessInternalResponse>('/process-internal', body);

function keys(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, i]));
}

const EMPTY = { field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' };
const tooLong = (length: number) => ({
  field: 'data',
  code: 'TOO_LONG',
  message: `data is ${length} characters long; the limit is 1000`,
});
const invalidCharacters = (shown: string) => ({
  field: 'data',
  code: 'INVALID_CHARACTERS',
  message: `data contains characters that are not allowed: ${shown}`,
});
const NOT_AN_OBJECT = { field: 'metadata', code: 'NOT_AN_OBJECT', message: 'metadata must be a JSON object when given' };
const TOO_MANY_KEYS = { field: 'metadata', code: 'TOO_MANY_KEYS', message: 'metadata may have at most 20 keys' };

describe('GET /ping', () => {
  test('answers with the service name, the package.json version, status ok and the uptime', async () => {
    const res = await fetch(`${server.url}/ping`);
    const body = (await res.json()) as PingResponse;

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(body).toEqual({ service: 'server-a', status: 'ok', version: packageVersion, uptimeSeconds: expect.any(Number) });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('POST /validate', () => {
  describe('valid input', () => {
    test('ordinary text with punctuation and metadata is valid', async () => {
      const res = await validate({
        data: 'Hello, world! Order #42 costs 10% more (approx.) - see "notes" @team & co.',
        metadata: { source: 'test', tags: ['a', 'b'] },
      });

      expect(res).toEqual({ status: 200, body: { valid: true, errors: [] } });
    });

    test('exactly 1000 characters is valid', async () => {
      expect(await validate({ data: 'a'.repeat(1000) })).toEqual({ status: 200, body: { valid: true, errors: [] } });
    });

    test('the length limit counts code points, so 1000 astral letters (2000 UTF-16 units) are valid', async () => {
      expect(await validate({ data: '\u{1D49C}'.repeat(1000) })).toEqual({ status: 200, body: { valid: true, errors: [] } });
    });

    test('non-ASCII letters and digits are allowed', async () => {
      expect(await validate({ data: 'Crème brûlée für Jürgen, 東京 ٣' })).toEqual({ status: 200, body: { valid: true, errors: [] } });
    });

    test('metadata with exactly 20 keys is valid', async () => {
      expect(await validate({ data: 'ok', metadata: keys(20) })).toEqual({ status: 200, body: { valid: true, errors: [] } });
    });
  });

  describe('invalid data', () => {
    test('an empty string is reported as EMPTY', async () => {
      expect(await validate({ data: '' })).toEqual({ status: 200, body: { valid: false, errors: [EMPTY] } });
    });

    test('whitespace only is reported as EMPTY', async () => {
      expect(await validate({ data: ' \t\n  ' })).toEqual({ status: 200, body: { valid: false, errors: [EMPTY] } });
    });

    test('1001 characters is reported as TOO_LONG with the actual length', async () => {
      expect(await validate({ data: 'a'.repeat(1001) })).toEqual({ status: 200, body: { valid: false, errors: [tooLong(1001)] } });
    });

    test('TOO_LONG reports the length in code points', async () => {
      expect(await validate({ data: '\u{1D49C}'.repeat(1001) })).toEqual({
        status: 200,
        body: { valid: false, errors: [tooLong(1001)] },
      });
    });

    test('a script tag is reported as INVALID_CHARACTERS listing each rejected character once', async () => {
      expect(await validate({ data: '<script>alert(1)</script>' })).toEqual({
        status: 200,
        body: { valid: false, errors: [invalidCharacters('"<", ">"')] },
      });
    });

    test('more than five distinct rejected characters shows the first five and an ellipsis', async () => {
      expect(await validate({ data: 'a<b>c{d}e`f$g\\h' })).toEqual({
        status: 200,
        body: { valid: false, errors: [invalidCharacters('"<", ">", "{", "}", "`", …')] },
      });
    });

    test('emoji are not allowed characters', async () => {
      expect(await validate({ data: 'hi 😀' })).toEqual({ status: 200, body: { valid: false, errors: [invalidCharacters('"😀"')] } });
    });
  });

  describe('invalid metadata', () => {
    test('a string is reported as NOT_AN_OBJECT', async () => {
      expect(await validate({ data: 'ok', metadata: 'source=test' })).toEqual({ status: 200, body: { valid: false, errors: [NOT_AN_OBJECT] } });
    });

    test('an array is reported as NOT_AN_OBJECT', async () => {
      expect(await validate({ data: 'ok', metadata: [{ source: 'test' }] })).toEqual({
        status: 200,
        body: { valid: false, errors: [NOT_AN_OBJECT] },
      });
    });

    test('null is reported as NOT_AN_OBJECT', async () => {
      expect(await validate({ data: 'ok', metadata: null })).toEqual({ status: 200, body: { valid: false, errors: [NOT_AN_OBJECT] } });
    });

    test('21 keys is reported as TOO_MANY_KEYS', async () => {
      expect(await validate({ data: 'ok', metadata: keys(21) })).toEqual({ status: 200, body: { valid: false, errors: [TOO_MANY_KEYS] } });
    });
  });

  describe('several problems at once', () => {
    test('too long, disallowed characters and non-object metadata are all listed, data first', async () => {
      expect(await validate({ data: '<'.repeat(1001), metadata: ['x'] })).toEqual({
        status: 200,
        body: { valid: false, errors: [tooLong(1001), invalidCharacters('"<"'), NOT_AN_OBJECT] },
      });
    });

    test('whitespace-only over the limit with too many metadata keys lists all three', async () => {
      expect(await validate({ data: ' '.repeat(1001), metadata: keys(21) })).toEqual({
        status: 200,
        body: { valid: false, errors: [EMPTY, tooLong(1001), TOO_MANY_KEYS] },
      });
    });
  });
});

describe('POST /process-internal', () => {
  test('normalizes, counts and hashes a fixed input exactly', async () => {
    const before = Date.now();
    const res = await processInternal({ data: '  Hello   World,\tthis is  Server A!\n' });
    const after = Date.now();

    const normalized = 'hello world, this is server a!';
    expect(res).toEqual({
      status: 200,
      body: {
        normalized,
        wordCount: 6,
        characterCount: 30,
        contentHash: sha256Hex(normalized),
        metadata: {},
        processedBy: 'server-a',
        processedAt: expect.stringMatching(ISO_TIMESTAMP),
      },
    });
    const processedAt = Date.parse(res.body.processedAt);
    expect(processedAt).toBeGreaterThanOrEqual(before);
    expect(processedAt).toBeLessThanOrEqual(after);
  });

  test('the content hash is the documented SHA-256 hex of the normalized text', async () => {
    const { body } = await processInternal({ data: 'abc' });

    expect(body.contentHash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('metadata is echoed unchanged', async () => {
    const metadata = { requestedBy: 'test', nested: { n: 1, list: [1, 'two', null] }, flag: false };

    const { status, body } = await processInternal({ data: 'some data', metadata });

    expect(status).toBe(200);
    expect(body.metadata).toEqual(metadata);
  });

  test('metadata that is not an object is a 400 naming the field', async () => {
    const { status, body } = await post<ErrorBody>('/process-internal', { data: 'x', metadata: ['a'] });

    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'INVALID_FIELD', message: '"metadata" must be an object, got array', field: 'metadata' } });
  });

  test('characters are counted as code points: "Café 😀" has 6', async () => {
    const { body } = await processInternal({ data: 'Caf\u00e9 \u{1F600}' });

    expect(body).toMatchObject({
      normalized: 'caf\u00e9 \u{1F600}',
      wordCount: 1,
      characterCount: 6,
      contentHash: sha256Hex('caf\u00e9 \u{1F600}'),
    });
  });

  test('words keep inner apostrophes and hyphens, and lone punctuation is not a word', async () => {
    const { body } = await processInternal({ data: "It's an E-mail - OK?" });

    expect(body).toMatchObject({ normalized: "it's an e-mail - ok?", wordCount: 4, characterCount: 20 });
  });

  test('empty data is processed without error (validation is a separate step)', async () => {
    const { status, body } = await processInternal({ data: '   ' });

    expect(status).toBe(200);
    expect(body).toMatchObject({ normalized: '', wordCount: 0, characterCount: 0, contentHash: sha256Hex('') });
  });

  test('the same input twice gives the same answer apart from processedAt', async () => {
    const input = { data: 'Repeat  ME please', metadata: { run: 1 } };

    const first = await processInternal(input);
    const second = await processInternal(input);

    const { processedAt: firstAt, ...firstRest } = first.body;
    const { processedAt: secondAt, ...secondRest } = second.body;
    expect(secondRest).toEqual(firstRest);
    expect(firstRest.contentHash).toBe(sha256Hex('repeat me please'));
    expect(firstAt).toMatch(ISO_TIMESTAMP);
    expect(secondAt).toMatch(ISO_TIMESTAMP);
  });
});

describe('scripts with combining marks', () => {
  test('decomposed accents and Devanagari are valid and count as whole words', async () => {
    expect((await validate({ data: 'Cafe\u0301 नमस्ते' })).body).toEqual({ valid: true, errors: [] });
    expect((await processInternal({ data: 'Cafe\u0301 नमस्ते' })).body).toMatchObject({ wordCount: 2 });
  });
});
