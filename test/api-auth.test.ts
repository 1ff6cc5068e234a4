// Who may call the workflow API, on the real app over real HTTP: 401 without a known token on every route but
// /ping and signing in, 403 for a missing role and for a decision naming someone else, 429 with Retry-After for
// repeated bad tokens and for starts past an identity's limit, the console's cookie and its same-origin rule,
// the console's files and their Content-Security-Policy, and the tokens file and script. No Temporal needed:
// a caller who gets past the checks meets the 503 of an API that has not reached Temporal.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { hashToken, loadIdentities } from '../api/auth/identities.ts';
import { type TemporalLink, unavailable } from '../api/temporal-link.ts';
import type { ErrorBody, StatusResponse } from '../shared/contract.ts';
import { ConfigError } from '../shared/service-config.ts';
import { authorization, type RunningApi, startApi, tokenOf } from './support/api.ts';
import { documentedOperations } from './support/openapi.ts';
import { killLeftovers, runNode } from './support/processes.ts';

afterEach(killLeftovers);

const noTemporal: TemporalLink = {
  client: () => {
    throw unavailable('Temporal is never reached in these tests');
  },
  state: () => 'connecting',
  close: async () => {},
};

async function withApi(limits: { failuresPerMinute: number; startsPerMinute: number } | undefined, body: (api: RunningApi) => Promise<void>) {
  const api = await startApi({ temporal: noTemporal, taskQueue: 'unused', ...(limits && { limits }) });
  try {
    await body(api);
  } finally {
    await api.close();
  }
}

/** A concrete request for each documented operation. */
const concrete = (operation: string) => {
  const [method, path] = operation.split(' ') as [string, string];
  return { method, path: path.replace('{kind}', 'multi').replace('{key}', 'order-1') };
};

describe('who is calling', () => {
  test('every operation but /ping and signing in answers 401 without a token and with an unknown one', async () => {
    await withApi(undefined, async (api) => {
      const guarded = documentedOperations().filter((op) => op !== 'GET /ping' && op !== 'POST /session');
      expect(guarded.length).toBeGreaterThan(10);
      for (const operation of guarded) {
        const { method, path } = concrete(operation);
        const body = method === 'POST' ? { data: 'x' } : undefined;
        const none = await api.call<ErrorBody>(method, path, body, null);
        expect({ operation, status: none.status, code: none.body.error.code, auth: none.headers.get('www-authenticate') }).toEqual({
          operation,
          status: 401,
          code: 'UNAUTHORIZED',
          auth: 'Bearer',
        });
        const unknown = await api.call<ErrorBody>(method, path, body, null, { authorization: 'Bearer tms_not-a-token-anyone-has' });
        expect({ operation, status: unknown.status }).toEqual({ operation, status: 401 });
      }
      expect((await api.call('GET', '/ping', undefined, null)).status).toBe(200);
    });
  });

  test('a caller without the role is refused 403, naming the role; every identity may read', async () => {
    await withApi(undefined, async (api) => {
      const refused = [
        ['vic', 'POST', '/workflows/multi/order-1', { data: 'x' }, 'operator'],
        ['vic', 'POST', '/workflows/order-1/cancel', undefined, 'operator'],
        ['vic', 'POST', '/workflows/order-1/approve', {}, 'reviewer'],
        ['olga', 'POST', '/workflows/order-1/reject', {}, 'reviewer'],
        ['bob', 'POST', '/workflows/multi/order-1', { data: 'x' }, 'operator'],
        ['bob', 'POST', '/workflows/order-1/cancel', undefined, 'operator'],
      ] as const;
      for (const [as, method, path, body, role] of refused) {
        const answer = await api.call<ErrorBody>(method, path, body, as);
        expect({ as, path, status: answer.status, code: answer.body.error.code }).toEqual({ as, path, status: 403, code: 'FORBIDDEN' });
        expect(answer.body.error.message).toContain(`needs the ${role} role`);
      }
      // Past the checks, each meets the API that has not reached Temporal (503), not a refusal.
      for (const [as, method, path, body] of [
        ['vic', 'GET', '/workflows/order-1', undefined],
        ['vic', 'GET', '/workflows', undefined],
        ['olga', 'POST', '/workflows/multi/order-1', { data: 'x' }],
        ['bob', 'POST', '/workflows/order-1/approve', {}],
      ] as const) {
        expect({ as, path, status: (await api.call(method, path, body, as)).status }).toEqual({ as, path, status: 503 });
      }
    });
  });

  test('a decision that names a reviewer other than the caller is refused 403; the caller’s own name is accepted', async () => {
    await withApi(undefined, async (api) => {
      const other = await api.call<ErrorBody>('POST', '/workflows/order-1/approve', { reviewer: 'ada' }, 'bob');
      expect(other.status).toBe(403);
      expect(other.body.error).toEqual({
        code: 'FORBIDDEN',
        field: 'reviewer',
        message: 'Signed in as bob: a decision is recorded under the name of whoever makes it, so it cannot name ada',
      });
      expect((await api.call('POST', '/workflows/order-1/approve', { reviewer: 'bob' }, 'bob')).status).toBe(503);
    });
  });

  test('repeated requests with bad tokens from one address are refused 429 with Retry-After; good ones do not count', async () => {
    await withApi({ failuresPerMinute: 3, startsPerMinute: 100 }, async (api) => {
      // Good ones are not counted, not even while in flight or abandoned: four held open (their bodies never
      // finish arriving) and then dropped, as a closed event stream is.
      const { port } = new URL(api.url);
      const held = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const socket = connect(Number(port), '127.0.0.1');
          await once(socket, 'connect');
          const head = `POST /workflows/multi/held HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokenOf('olga')}\r\n`;
          socket.write(`${head}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"data":`);
          return socket;
        }),
      );
      await expect.poll(async () => (await api.call<StatusResponse>('GET', '/status')).body.endpoints['POST /workflows/:kind/:key']?.inFlight).toBe(4);
      expect((await api.call('GET', '/session', undefined, 'vic')).status).toBe(200);
      for (const socket of held) socket.destroy();
      await expect.poll(async () => (await api.call<StatusResponse>('GET', '/status')).body.endpoints['POST /workflows/:kind/:key']?.inFlight).toBe(0);
      for (let i = 0; i < 10; i++) expect((await api.call('GET', '/session', undefined, 'vic')).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await api.call('GET', '/session', undefined, null)).status).toBe(401);
      const limited = await api.call<ErrorBody>('GET', '/session', undefined, null);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Signing in with a wrong token counts as well: a token cannot be guessed through the console either.
      expect((await api.call('POST', '/session', { token: 'tms_guess' }, null)).status).toBe(429);
    });
  });

  test('starts are limited per identity: one identity past its limit is refused 429, another is not', async () => {
    await withApi({ failuresPerMinute: 100, startsPerMinute: 2 }, async (api) => {
      for (let i = 0; i < 2; i++) expect((await api.call('POST', `/workflows/multi/order-${i}`, { data: 'x' }, 'olga')).status).toBe(503);
      const limited = await api.call<ErrorBody>('POST', '/workflows/multi/order-3', { data: 'x' }, 'olga');
      expect({ status: limited.status, code: limited.body.error.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
      expect(limited.body.error.message).toContain('runs started by olga');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await api.call('POST', '/workflows/multi/order-4', { data: 'x' }, 'ada')).status).toBe(503);
      // Messages to a run are not starts.
      expect((await api.call('POST', '/workflows/order-1/cancel', undefined, 'olga')).status).toBe(503);
    });
  });
});

describe('the console’s session', () => {
  const cookieOf = (headers: Headers) => headers.getSetCookie().find((c) => c.startsWith('workflow_api_session='));

  test('signing in sets an HttpOnly, SameSite=Strict cookie that authenticates; signing out clears it', async () => {
    await withApi(undefined, async (api) => {
      const signIn = await api.call('POST', '/session', { token: tokenOf('bob') }, null);
      expect(signIn.status).toBe(200);
      expect(signIn.body).toEqual({ name: 'bob', roles: ['reviewer'], webUi: null, namespace: 'default' });
      const cookie = cookieOf(signIn.headers)!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      const session = await api.call('GET', '/session', undefined, null, { cookie: cookie.split(';')[0]! });
      expect(session.body).toMatchObject({ name: 'bob' });
      const out = await api.call('DELETE', '/session', undefined, null, { cookie: cookie.split(';')[0]!, origin: api.url });
      expect(cookieOf(out.headers)).toMatch(/^workflow_api_session=;/);
      const wrong = await api.call<ErrorBody>('POST', '/session', { token: 'tms_wrong' }, null);
      expect({ status: wrong.status, field: wrong.body.error.field }).toEqual({ status: 401, field: 'token' });
    });
  });

  test('a change signed by the cookie from another origin is refused 403; from the console’s origin it passes', async () => {
    await withApi(undefined, async (api) => {
      const signIn = await api.call('POST', '/session', { token: tokenOf('ada') }, null);
      const cookie = cookieOf(signIn.headers)!.split(';')[0]!;
      const elsewhere = 'http://127.0.0.1:1';
      const crossSite: Array<Record<string, string>> = [
        { origin: elsewhere },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: elsewhere },
      ];
      for (const headers of crossSite) {
        const answer = await api.call<ErrorBody>('POST', '/workflows/order-1/cancel', undefined, null, { cookie, ...headers });
        expect({ headers, status: answer.status, code: answer.body.error.code }).toEqual({ headers, status: 403, code: 'FORBIDDEN' });
      }
      const sameOrigin = await api.call('POST', '/workflows/order-1/cancel', undefined, null, { cookie, origin: api.url });
      expect(sameOrigin.status).toBe(503);
      // A bearer token is no cookie: nothing a page of another site can send by itself.
      expect((await api.call('POST', '/workflows/order-1/cancel', undefined, 'ada', { origin: elsewhere })).status).toBe(503);
      // Nor may another site sign a browser in.
      expect((await api.call('POST', '/session', { token: tokenOf('ada') }, null, { origin: elsewhere })).status).toBe(403);
    });
  });
});

describe('the console’s files', () => {
  test('each view is the page shell, with a Content-Security-Policy that forbids inline script; its scripts are served without their types', async () => {
    await withApi(undefined, async (api) => {
      for (const view of ['/console/sign-in', '/console/runs', '/console/runs/order-1', '/console/start', '/console/reviews']) {
        const res = await fetch(`${api.url}${view}`);
        const html = await res.text();
        expect({ view, status: res.status, type: res.headers.get('content-type') }).toEqual({ view, status: 200, type: 'text/html; charset=utf-8' });
        expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>|\son\w+=/);
        const csp = res.headers.get('content-security-policy') ?? '';
        const directives = new Map(csp.split(';').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
        expect({ script: directives.get('script-src'), attr: directives.get('script-src-attr'), style: directives.get('style-src') }).toEqual({
          script: "'self'",
          attr: "'none'",
          style: "'self'",
        });
      }
      const script = await fetch(`${api.url}/console/assets/common.ts`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const code = await script.text();
      expect(code).toContain('export async function api');
      expect(code).not.toMatch(/import type|: Promise<T>/);
      expect((await fetch(`${api.url}/console/`, { redirect: 'manual' })).headers.get('location')).toBe('/console/runs');
      expect((await fetch(`${api.url}/console/assets/..%2Fserve.ts`)).status).toBe(401);
    });
  });
});

describe('the tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'api-tokens-'));

  test('the tokens file holds hashes; a missing file, broken JSON or a plaintext token is a ConfigError saying what to do', () => {
    const file = join(dir, 'tokens.json');
    expect(() => loadIdentities({ file, inline: undefined })).toThrow(/No API identities: .* `npm run token -- --dev`/);
    writeFileSync(file, '[{"name": "ada", "roles": ["viewer"], "sha256": "abc"');
    expect(() => loadIdentities({ file, inline: undefined })).toThrow(/API_TOKENS_FILE \(.*\) is not valid JSON/);
    writeFileSync(file, JSON.stringify([{ name: 'ada', roles: ['admin'], token: 'tms_plain' }]));
    let problem: unknown;
    try {
      loadIdentities({ file, inline: undefined });
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(ConfigError);
    expect((problem as ConfigError).message).toMatch(/\[0\]\.roles\[0\].*\[0\]\.sha256.*\[0\]\.token is unknown/s);
    writeFileSync(file, JSON.stringify([{ name: 'ada', roles: ['viewer'], sha256: hashToken('tms_a') }]));
    expect(loadIdentities({ file, inline: undefined }).find('tms_a')).toEqual({ name: 'ada', roles: ['viewer'] });
    expect(loadIdentities({ file, inline: undefined }).find('tms_b')).toBeUndefined();
    // API_TOKENS wins over the file.
    const inline = JSON.stringify([{ name: 'bob', roles: ['reviewer'], sha256: hashToken('tms_b') }]);
    expect(loadIdentities({ file, inline }).find('tms_b')).toEqual({ name: 'bob', roles: ['reviewer'] });
    expect(loadIdentities({ file, inline }).find('tms_a')).toBeUndefined();
  });

  test('npm run token prints a token once, with the entry that holds only its hash; bad options are a usage error', async () => {
    const made = await runNode('scripts/token.ts', ['--name', 'ada', '--roles', 'reviewer,viewer']);
    expect(made.code).toBe(0);
    const token = /^ {2}(tms_\S+)$/m.exec(made.stdout)?.[1] ?? '';
    const entry = JSON.parse(/^ {2}(\{.*\})$/m.exec(made.stdout)?.[1] ?? '{}') as unknown;
    expect(entry).toEqual({ name: 'ada', roles: ['reviewer', 'viewer'], sha256: hashToken(token) });
    const bad = await runNode('scripts/token.ts', ['--name', 'ada', '--roles', 'admin']);
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/--roles must list roles from viewer, operator, reviewer; got "admin"[\s\S]*Usage:/),
    });
  });

  test('npm run token -- --dev writes the development set once (hashes only, readable by its owner), and the API starts with it', async () => {
    const file = join(dir, 'dev-tokens.json');
    const env = { API_TOKENS_FILE: file, API_TOKENS: '' };
    const first = await runNode('scripts/token.ts', ['--dev'], env);
    expect(first.code).toBe(0);
    const tokens = [...first.stdout.matchAll(/(tms_\S+)/g)].map((m) => m[1]!);
    expect(tokens).toHaveLength(2);
    const stored = readFileSync(file, 'utf8');
    for (const token of tokens) {
      expect(stored).not.toContain(token);
      expect(stored).toContain(hashToken(token));
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Replaced, a file someone made readable to all is narrowed again.
    chmodSync(file, 0o644);
    expect((await runNode('scripts/token.ts', ['--dev', '--replace'], env)).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await runNode('scripts/token.ts', ['--dev'], env);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('--replace makes a new development set') });
    const missing = await runNode('api/index.ts', [], { API_TOKENS_FILE: join(dir, 'none.json'), API_TOKENS: '', API_PORT: '0' });
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('No API identities') });
  });
});

test('the test identities are what the other API tests assume', () => {
  expect(authorization(null)).toEqual({});
  expect(authorization('ada').authorization).toBe(`Bearer ${tokenOf('ada')}`);
});
