// Server B's routes and what each computes: external processing, enrichment, a simulated third-party
// API, and the publications a saga submits, confirms or withdraws, in its SQLite database. Each answer
// depends on the data alone (but time stamps and simulated failures), so a retried call gets the same.
import type { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import type { Logger } from '../shared/logger.ts';
import type { ServiceConfig } from '../shared/service-config.ts';
import { BODY_LIMIT_BYTES, clientGone, createServiceApp, Reply } from '../shared/service/create-app.ts';
import { HttpError, parseRequest } from '../shared/service/http-error.ts';
import { IdempotencyStore, idempotencyKeyOf, nextStatus, openDatabase, type Transitions } from '../shared/service/idempotency.ts';
import type { ServiceAppOptions } from '../shared/service/serve.ts';
import { normalize, sha256, words } from '../shared/text.ts';
import {
  type Category,
  EnrichRequest,
  type EnrichResponse,
  ProcessExternalRequest,
  type ProcessExternalResponse,
  type Publication,
  type PublicationList,
  PublicationQuery,
  type PublicationStatus,
  SubmitPublicationRequest,
  ThirdPartyRequest,
  type ThirdPartyResponse,
} from './contract.ts';

export interface ServerBOptions extends ServiceAppOptions {
  thirdParty: ServiceConfig['thirdParty'];
  /** Injectable so a failure rate between 0 and 1 can be tested. */
  random?: () => number;
  /** Third-party calls waiting at once (past it, 503): bounds what one client can pin. 256 is enough for real load. */
  maxThirdPartyInFlight?: number;
}

export function createServerBApp(
  logger: Logger,
  { database = ':memory:', thirdParty, random = Math.random, maxThirdPartyInFlight = 256, ...common }: ServerBOptions,
) {
  let thirdPartyInFlight = 0;
  const db = openDatabase(database);
  const store = publicationStore(db);
  // Express passes a `:id` segment as a non-empty string.
  const id = (params: Record<string, unknown>) => params.id as string;
  return createServiceApp({
    ...common,
    service: 'server-b',
    logger,
    idempotency: new IdempotencyStore(db),
    settings: () => ({
      thirdPartyLatencyMs: thirdParty.latencyMs,
      thirdPartyFailureRate: thirdParty.failureRate,
      maxThirdPartyInFlight,
      bodyLimitBytes: BODY_LIMIT_BYTES,
    }),
    routes: [
      { method: 'POST', path: '/process-external', handle: (raw) => processExternal(parseRequest(ProcessExternalRequest, raw)) },
      { method: 'POST', path: '/enrich', handle: (raw) => enrich(parseRequest(EnrichRequest, raw)) },
      {
        method: 'POST',
        path: '/third-party-api',
        handle: (raw, req): Promise<ThirdPartyResponse> => {
          const request = parseRequest(ThirdPartyRequest, raw);
          if (thirdPartyInFlight >= maxThirdPartyInFlight) {
            const message = `${maxThirdPartyInFlight} third-party calls are already in flight; retry later`;
            throw new HttpError(503, 'SATURATED', message, { headers: { 'Retry-After': '1' } });
          }
          thirdPartyInFlight += 1;
          return callThirdParty(request, thirdParty, random, clientGone(req)).finally(() => (thirdPartyInFlight -= 1));
        },
      },
      {
        method: 'POST',
        path: '/publications',
        mutates: true,
        handle: (raw, req): Reply => {
          const { recordId, content } = parseRequest(SubmitPublicationRequest, raw);
          checkPublishable(content);
          return new Reply(201, store.submit(recordId, content, idempotencyKeyOf(req)));
        },
      },
      {
        method: 'GET',
        path: '/publications',
        handle: (_raw, req): PublicationList => ({ items: store.list(parseRequest(PublicationQuery, req.query, 'query')) }),
      },
      { method: 'GET', path: '/publications/:id', handle: (_raw, req): Publication => store.get(id(req.params)) },
      { method: 'POST', path: '/publications/:id/confirm', mutates: true, handle: (_raw, req): Publication => store.transition(id(req.params), 'confirm') },
      { method: 'DELETE', path: '/publications/:id', mutates: true, handle: (_raw, req): Publication => store.transition(id(req.params), 'withdraw') },
    ],
  });
}

/** POST /process-external: the reference is derived from the content, so a retry cannot create a second one. */
function processExternal({ data, contentHash }: ProcessExternalRequest): ProcessExternalResponse {
  const normalized = normalize(data);
  const unique = [...new Set(words(normalized))].sort();
  return {
    reference: `EXT-${sha256(normalized).slice(0, 12).toUpperCase()}`,
    uniqueWords: unique.slice(0, 20),
    uniqueWordCount: unique.length,
    contentHash: contentHash ?? null,
    processedBy: 'server-b',
    processedAt: new Date().toISOString(),
  };
}

/** Checked in this order; the first category with a matching word wins. */
const CATEGORY_WORDS: ReadonlyArray<[Category, ReadonlySet<string>]> = [
  ['incident', new Set(['error', 'errors', 'fail', 'failed', 'failure', 'bug', 'crash', 'outage', 'down', 'broken', 'timeout'])],
  ['commerce', new Set(['order', 'orders', 'payment', 'invoice', 'refund', 'price', 'cart', 'checkout', 'buy', 'purchase', 'shipping'])],
  ['greeting', new Set(['hello', 'hi', 'hey', 'greetings', 'welcome'])],
];

/** POST /enrich: a category, a score (0-100: half lexical diversity, half length, full at 20 words) and up to 5 keywords. */
function enrich({ data, reference }: EnrichRequest): EnrichResponse {
  const normalized = normalize(data);
  const tokens = words(normalized);
  const category = CATEGORY_WORDS.find(([, vocabulary]) => tokens.some((t) => vocabulary.has(t)))?.[0] ?? (normalized.endsWith('?') ? 'question' : 'general');
  const score = tokens.length === 0 ? 0 : Math.round(50 * (new Set(tokens).size / tokens.length) + 50 * Math.min(1, tokens.length / 20));
  const counts = new Map<string, number>();
  for (const t of tokens) if (t.length >= 4) counts.set(t, (counts.get(t) ?? 0) + 1);
  const keywords = [...counts]
    .sort(([a, ca], [b, cb]) => cb - ca || a.localeCompare(b))
    .slice(0, 5)
    .map(([word]) => word);
  return { category, score, keywords, reference: reference ?? null, enrichedBy: 'server-b', enrichedAt: new Date().toISOString() };
}

/** Words Server B will not publish (documented in docs/services.md). */
const BANNED_WORDS: readonly string[] = ['spam', 'scam', 'forbidden'];

/** The publishing rule: content with a banned word is a 422 naming them, a business outcome never worth a retry. */
function checkPublishable(content: string): void {
  const banned = [...new Set(words(normalize(content)).filter((w) => BANNED_WORDS.includes(w)))];
  if (banned.length === 0) return;
  const message = `rule no-banned-words: the content contains ${banned.map((w) => `"${w}"`).join(', ')}`;
  throw new HttpError(422, 'RULE_VIOLATION', message, { field: 'content' });
}

/**
 * POST /third-party-api: a slow, unreliable outside service whose failures are honest HTTP answers (503
 * or 429 with Retry-After), so retries against it are real. `signal` ends the wait when the caller has gone.
 */
async function callThirdParty(request: ThirdPartyRequest, settings: ServiceConfig['thirdParty'], random: () => number, signal: AbortSignal) {
  const latencyMs = request.latencyMs ?? settings.latencyMs;
  await sleep(latencyMs, undefined, { signal });
  if (random() < (request.failureRate ?? settings.failureRate)) {
    const headers = { 'Retry-After': String(request.retryAfterSeconds ?? 1) };
    if (request.failureStatus === 429) throw new HttpError(429, 'RATE_LIMITED', `Simulated rate limit; retry after ${headers['Retry-After']}s`, { headers });
    throw new HttpError(503, 'UPSTREAM_UNAVAILABLE', `Simulated outage; retry after ${headers['Retry-After']}s`, { headers });
  }
  const characters = [...request.query];
  const answer = { reversed: characters.reverse().join(''), length: characters.length };
  return { provider: 'simulated-third-party', query: request.query, answer, latencyMs, answeredAt: new Date().toISOString() } satisfies ThirdPartyResponse;
}

// ---- state: publications of Server A's records, each change a transition checked here (a caller cannot confirm a withdrawn one) ----

const TRANSITIONS: Transitions<PublicationStatus, 'confirm' | 'withdraw'> = {
  confirm: { from: ['pending', 'published'], to: 'published' },
  // A published one can still be withdrawn: the saga's compensation when a later step fails.
  withdraw: { from: ['pending', 'published', 'withdrawn'], to: 'withdrawn' },
};

const SELECT = `SELECT id, record_id AS recordId, status, content, created_by_key AS createdByKey, created_at AS createdAt, updated_at AS updatedAt
  FROM publications`;

function publicationStore(db: DatabaseSync) {
  db.exec(`CREATE TABLE IF NOT EXISTS publications (
    id TEXT PRIMARY KEY, record_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'withdrawn')),
    content TEXT NOT NULL, created_by_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
  )`);
  const get = (id: string): Publication => {
    const publication = db.prepare(`${SELECT} WHERE id = ?`).get(id) as Publication | undefined;
    if (!publication) throw new HttpError(404, 'NOT_FOUND', `No publication ${id}`);
    return publication;
  };
  return {
    get,
    submit(recordId: string, content: string, createdByKey: string): Publication {
      // Stored answers last 24 h: a later retry under the key must still find what it created, not a 500.
      const existing = db.prepare(`${SELECT} WHERE created_by_key = ?`).get(createdByKey) as Publication | undefined;
      if (existing && (existing.recordId !== recordId || existing.content !== content)) {
        const message = `This Idempotency-Key already created publication ${existing.id} from another record or content`;
        throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', message, { field: 'Idempotency-Key' });
      }
      if (existing) return existing;
      const id = `pub_${nanoid(12)}`;
      const at = new Date().toISOString();
      const insert = 'INSERT INTO publications (id, record_id, status, content, created_by_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
      db.prepare(insert).run(id, recordId, 'pending', content, createdByKey, at, at);
      return get(id);
    },
    list(filter: PublicationQuery): Publication[] {
      const where = '(:status IS NULL OR status = :status) AND (:key IS NULL OR created_by_key = :key) AND (:record IS NULL OR record_id = :record)';
      const query = db.prepare(`${SELECT} WHERE ${where} ORDER BY created_at, id`);
      return query.all({ status: filter.status ?? null, key: filter.createdByKey ?? null, record: filter.recordId ?? null }) as Publication[];
    },
    transition(id: string, action: keyof typeof TRANSITIONS): Publication {
      const to = nextStatus(TRANSITIONS, { kind: 'publication', ...get(id) }, action);
      db.prepare('UPDATE publications SET status = ?, updated_at = ? WHERE id = ?').run(to, new Date().toISOString(), id);
      return get(id);
    },
  };
}
