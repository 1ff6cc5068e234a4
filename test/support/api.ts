// The workflow API (api/) in the test process, on 127.0.0.1 and a free port, and a caller for it that
// holds every answer to the API's OpenAPI document as it comes (status, content type, body, and each event of a
// stream), and notes which documented operations were answered, so a test can say all of them were. It knows
// four identities (CALLERS); a call is made as ada, who has every role, unless it says otherwise.
import type { Client } from '@temporalio/client';
import { expect } from 'vitest';
import { type ApiOptions, createApiApp } from '../../api/app.ts';
import { hashToken, identities, newToken, type Role } from '../../api/auth/identities.ts';
import type { TemporalLink } from '../../api/temporal-link.ts';
import { listen, type RunningService } from '../../shared/service/serve.ts';
import { checkAnswer, eventSchema, schemaErrors } from './openapi.ts';
import { HOST, silentLogger } from './services.ts';

/** "METHOD /path/{param}" of every answer any test of this process got and checked. */
export const answeredOperations = new Set<string>();

/** The identities of every test API: ada may do everything, each other one role. */
export const CALLERS = { ada: ['viewer', 'operator', 'reviewer'], bob: ['reviewer'], olga: ['operator'], vic: ['viewer'] } satisfies Record<string, Role[]>;
export type Caller = keyof typeof CALLERS;
const TOKENS = Object.fromEntries(Object.keys(CALLERS).map((name) => [name, newToken()])) as Record<Caller, string>;
export const tokenOf = (caller: Caller) => TOKENS[caller];
export const testIdentities = identities(Object.entries(CALLERS).map(([name, roles]) => ({ name, roles, sha256: hashToken(TOKENS[name as Caller]) })));
/** As a client sends them: `as` null sends no token. */
export const authorization = (as: Caller | null): Record<string, string> => (as === null ? {} : { authorization: `Bearer ${TOKENS[as]}` });

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export type SseMessage = { event: string; data: unknown } | { comment: string };

export interface RunningApi {
  url: string;
  close: () => Promise<void>;
  /** One request, as ada unless `as` says; `body` is sent as JSON, or as it is when it is a string (to send broken JSON). */
  call: <T = unknown>(method: string, path: string, body?: unknown, as?: Caller | null, headers?: Record<string, string>) => Promise<ApiAnswer<T>>;
  /** Opens a run's event stream: the answer, and its messages as they come (each event checked against the description). */
  events: (key: string, signal?: AbortSignal) => Promise<{ status: number; headers: Headers; messages: AsyncGenerator<SseMessage> }>;
}

/** A link to a client that is connected already (the suite's); closing it is its owner's business. */
export function connectedLink(client: Client): TemporalLink {
  return { client: () => client, state: () => 'connected', close: async () => {} };
}

type Defaulted = 'logger' | 'namespace' | 'identities' | 'limits' | 'webUi';

/** Limits no test reaches unless it sets its own. */
const UNLIMITED = { failuresPerMinute: 100_000, startsPerMinute: 100_000 };

export async function startApi(options: Omit<ApiOptions, Defaulted> & Partial<Pick<ApiOptions, Defaulted>>): Promise<RunningApi> {
  const app = createApiApp({ logger: silentLogger(), namespace: 'default', identities: testIdentities, limits: UNLIMITED, webUi: null, ...options });
  const service: RunningService = await listen(app, HOST, 0);
  const checked = (method: string, path: string, status: number, contentType: string | null, body: unknown) => {
    const { operation, problems } = checkAnswer(method, new URL(path, service.url).pathname, status, contentType, body);
    expect(problems, `${method} ${path} → ${status} ${JSON.stringify(body)}`).toEqual([]);
    if (operation) answeredOperations.add(operation);
  };
  return {
    url: service.url,
    close: async () => {
      await service.close(0);
    },
    call: async <T>(method: string, path: string, body?: unknown, as: Caller | null = 'ada', headers: Record<string, string> = {}) => {
      const res = await fetch(`${service.url}${path}`, {
        method,
        headers: { ...authorization(as), ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      const json = res.headers.get('content-type')?.startsWith('application/json');
      const parsed = json ? (JSON.parse(text) as unknown) : text;
      checked(method, path, res.status, res.headers.get('content-type'), parsed);
      return { status: res.status, headers: res.headers, body: parsed as T };
    },
    events: async (key, signal) => {
      const path = `/workflows/${encodeURIComponent(key)}/events`;
      const res = await fetch(`${service.url}${path}`, { headers: authorization('ada'), ...(signal && { signal }) });
      if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
        const body = JSON.parse(await res.text()) as unknown;
        checked('GET', path, res.status, res.headers.get('content-type'), body);
        return { status: res.status, headers: res.headers, messages: (async function* () {})() };
      }
      checked('GET', path, res.status, res.headers.get('content-type'), '');
      return { status: res.status, headers: res.headers, messages: checkedEvents(path, sseMessages(res)) };
    },
  };
}

async function* checkedEvents(path: string, messages: AsyncGenerator<SseMessage>): AsyncGenerator<SseMessage> {
  for await (const message of messages) {
    if ('event' in message) {
      const schema = eventSchema(path, message.event);
      expect(schema, `event "${message.event}" is not documented`).toBeDefined();
      expect(schemaErrors(schema!, message.data), `event ${message.event}: ${JSON.stringify(message.data)}`).toEqual([]);
    }
    yield message;
  }
}

/** The messages of a text/event-stream body as they arrive: events (data parsed as JSON) and comments. */
export async function* sseMessages(res: Response): AsyncGenerator<SseMessage> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) {
          yield { comment: block.slice(1).trim() };
          continue;
        }
        const fields = new Map([...block.matchAll(/^(\w+): ?(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
        yield { event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data') ?? 'null') as unknown };
      }
    }
  } finally {
    // A reader that stops early closes the connection: the server sees its client go.
    await reader.cancel().catch(() => {});
  }
}
