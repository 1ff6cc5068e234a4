// The AES-GCM payload codec and the codec server the Web UI calls, on their own: what the server may
// see, key rotation, tampering, and the server's answers to every kind of request.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { PayloadKey } from '../shared/config.ts';
import { listen, type RunningService } from '../shared/service/serve.ts';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../temporal/codec/aes-gcm-codec.ts';
import { createCodecServerApp } from '../temporal/codec/codec-server-app.ts';
import { killLeftovers, runNode, startNode } from './support/processes.ts';
import { HOST, silentLogger } from './support/services.ts';

const OLD: PayloadKey = { id: 'k1', key: randomBytes(32) };
const NEW: PayloadKey = { id: 'k2', key: randomBytes(32) };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const payloadOf = (value: unknown) => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);

describe('AesGcmCodec', () => {
  test('what it encodes holds no plaintext, names its key, and decodes back to the same payload', async () => {
    const codec = new AesGcmCodec([NEW, OLD]);
    const [sealed] = await codec.encode([payloadOf({ data: 'secret order 42' })]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect(text(sealed!.data)).not.toContain('secret order 42');
    expect(valueOf((await codec.decode([sealed!]))[0]!)).toEqual({ data: 'secret order 42' });
  });

  test('the same payload encrypts differently each time (a fresh nonce per payload)', async () => {
    const codec = new AesGcmCodec([NEW]);
    const [a, b] = await codec.encode([payloadOf('same'), payloadOf('same')]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('after a rotation, payloads sealed with the old key still decode; new ones use the new key', async () => {
    const [old] = await new AesGcmCodec([OLD]).encode([payloadOf('written before the rotation')]);
    const rotated = new AesGcmCodec([NEW, OLD]);
    expect(valueOf((await rotated.decode([old!]))[0]!)).toBe('written before the rotation');
    expect(text((await rotated.encode([payloadOf('x')]))[0]!.metadata![KEY_ID_METADATA])).toBe('k2');
  });

  test('plaintext payloads (runs from before encryption was on) pass through decode unchanged', async () => {
    const plain = payloadOf({ data: 'old run' });
    expect(await new AesGcmCodec([NEW]).decode([plain])).toEqual([plain]);
  });

  test('an unknown key id, a flipped bit and a swapped key id are refused, never decoded to garbage', async () => {
    const codec = new AesGcmCodec([NEW, OLD]);
    const [sealed] = await codec.encode([payloadOf('x')]);
    await expect(new AesGcmCodec([OLD]).decode([sealed!])).rejects.toThrow('payload encrypted with key id "k2", which is not among PAYLOAD_ENCRYPTION_KEYS');
    const flipped = Buffer.from(sealed!.data!);
    flipped[20]! ^= 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow('failed authentication');
    // Same key material under two ids: only the authenticated key id tells them apart.
    const twins = new AesGcmCodec([NEW, { id: 'twin', key: NEW.key }]);
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('twin') } };
    await expect(twins.decode([relabelled])).rejects.toThrow('failed authentication');
  });
});

describe('codec server', () => {
  const UI = 'http://localhost:8233';
  let open: RunningService;
  let guarded: RunningService;
  beforeAll(async () => {
    const codec = new AesGcmCodec([NEW]);
    open = await listen(createCodecServerApp({ codec, allowedOrigins: [UI], auth: undefined, logger: silentLogger() }), HOST, 0);
    guarded = await listen(createCodecServerApp({ codec, allowedOrigins: [UI], auth: 'Bearer codec-pass', logger: silentLogger() }), HOST, 0);
  });
  afterAll(async () => {
    await open.close();
    await guarded.close();
  });

  const post = (server: RunningService, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const asJson = (payload: Payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  });

  test('/encode then /decode round-trips payloads in the Web UI format', async () => {
    const encoded = (await (await post(open, '/encode', { payloads: [asJson(payloadOf({ data: 'for the UI' }))] })).json()) as {
      payloads: ReturnType<typeof asJson>[];
    };
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const decoded = (await (await post(open, '/decode', encoded)).json()) as { payloads: ReturnType<typeof asJson>[] };
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toEqual({ data: 'for the UI' });
  });

  test('CORS: the Web UI origin is allowed (preflight 204), another origin gets no CORS headers and a 403 preflight', async () => {
    const preflight = (origin: string) =>
      fetch(`${open.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const allowed = await preflight(UI);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('X-Namespace');
    const other = await preflight('http://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('with an auth value set, a caller without it gets 401 in the JSON error shape; with it, an answer', async () => {
    const refused = await post(guarded, '/decode', { payloads: [] });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'This codec server requires the configured Authorization header' } });
    expect((await post(guarded, '/decode', { payloads: [] }, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await post(guarded, '/decode', { payloads: [] }, { authorization: 'Bearer codec-pass' });
    expect([ok.status, await ok.json()]).toEqual([200, { payloads: [] }]);
  });

  test.each([
    ['not JSON', '{', 400, { code: 'INVALID_JSON' }],
    ['no payloads list', { items: [] }, 400, { code: 'MISSING_FIELD', field: 'payloads' }],
    ['metadata not an object', { payloads: [{ metadata: 'x', data: '' }] }, 400, { code: 'INVALID_FIELD', field: 'payloads[0].metadata' }],
    ['too many payloads', { payloads: Array.from({ length: 1_001 }, () => ({})) }, 400, { code: 'INVALID_FIELD', field: 'payloads' }],
    ['data not base64', { payloads: [{ metadata: {}, data: 'not base64!' }] }, 400, { code: 'INVALID_FIELD', field: 'payloads[0].data' }],
    [
      'a metadata value not base64',
      { payloads: [{ metadata: { encoding: 42 }, data: '' }] },
      400,
      { code: 'INVALID_FIELD', field: 'payloads[0].metadata.encoding' },
    ],
    [
      'a payload of an unknown key',
      {
        payloads: [
          { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING).toString('base64'), [KEY_ID_METADATA]: Buffer.from('k9').toString('base64') }, data: '' },
        ],
      },
      422,
      { code: 'INVALID_FIELD', field: 'payloads' },
    ],
  ])('%s → %i naming the problem', async (_name, body, status, error) => {
    const response = await fetch(`${open.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: object }).error).toMatchObject(error);
  });

  test('an unknown path is 404 and a GET of /decode is 405, both JSON', async () => {
    const missing = await fetch(`${open.url}/nope`);
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND']);
    const wrongMethod = await fetch(`${open.url}/decode`);
    expect([wrongMethod.status, ((await wrongMethod.json()) as { error: { code: string } }).error.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });
});

describe('npm run codec-server', () => {
  afterEach(killLeftovers);
  const KEYS = `k1:${randomBytes(32).toString('base64')}`;

  test.each([
    ['without keys', {}, 'PAYLOAD_ENCRYPTION_KEYS is empty: payloads are not encrypted, so there is nothing to decode.'],
    [
      'on every interface without CODEC_SERVER_AUTH',
      { PAYLOAD_ENCRYPTION_KEYS: KEYS, SERVICE_HOST: '0.0.0.0' },
      'the codec server would decrypt for anyone who reaches it',
    ],
  ])('refuses to start %s (exit 2, saying why)', async (_name, env, message) => {
    const run = await runNode('temporal/codec-server.ts', [], { PAYLOAD_ENCRYPTION_KEYS: '', CODEC_SERVER_PORT: '0', ...env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test('with keys on loopback it serves, and stops on SIGTERM with exit 0', async () => {
    const server = startNode('temporal/codec-server.ts', [], { PAYLOAD_ENCRYPTION_KEYS: KEYS, CODEC_SERVER_PORT: '0', LOG_LEVEL: 'info' });
    await server.waitFor('"msg":"listening"');
    process.kill(server.pid, 'SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
