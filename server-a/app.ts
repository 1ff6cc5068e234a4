// Server A's routes and what each computes: local data processing (validation and internal processing),
// and the records a saga reserves, commits or releases, kept in its SQLite database. Each request is
// checked against contract.ts; each answer depends on the data alone (apart from the time stamps).
import type { DatabaseSync } from 'node:sqlite';
import { nanoid } from 'nanoid';
import type { Logger } from '../shared/logger.ts';
import { BODY_LIMIT_BYTES, createServiceApp, Reply } from '../shared/service/create-app.ts';
import { HttpError, parseRequest } from '../shared/service/http-error.ts';
import { IdempotencyStore, idempotencyKeyOf, nextStatus, openDatabase, type Transitions } from '../shared/service/idempotency.ts';
import type { ServiceAppOptions } from '../shared/service/serve.ts';
import { normalize, sha256, words } from '../shared/text.ts';
import {
  type DataRecord,
  MAX_DATA_LENGTH,
  MAX_METADATA_KEYS,
  Metadata,
  ProcessInternalRequest,
  type ProcessInternalResponse,
  type RecordList,
  RecordQuery,
  type RecordStatus,
  ReserveRecordRequest,
  ValidateRequest,
  type ValidateResponse,
  type ValidationIssue,
} from './contract.ts';

export type ServerAOptions = ServiceAppOptions;

export function createServerAApp(logger: Logger, { database = ':memory:', ...common }: ServerAOptions = {}) {
  const db = openDatabase(database);
  const store = recordStore(db);
  // Express passes a `:id` segment as a non-empty string.
  const id = (params: Record<string, unknown>) => params.id as string;
  return createServiceApp({
    ...common,
    service: 'server-a',
    logger,
    idempotency: new IdempotencyStore(db),
    settings: () => ({ maxDataLength: MAX_DATA_LENGTH, maxMetadataKeys: MAX_METADATA_KEYS, bodyLimitBytes: BODY_LIMIT_BYTES }),
    routes: [
      // A missing or non-string `data` is a malformed request (400); anything else /validate answers with a verdict.
      { method: 'POST', path: '/validate', handle: (raw) => validateInput(parseRequest(ValidateRequest, raw)) },
      { method: 'POST', path: '/process-internal', handle: (raw) => processInternal(parseRequest(ProcessInternalRequest, raw)) },
      {
        method: 'POST',
        path: '/records',
        mutates: true,
        handle: (raw, req): Reply => {
          const { data } = parseRequest(ReserveRecordRequest, raw);
          return new Reply(201, store.reserve(sha256(normalize(data)), idempotencyKeyOf(req)));
        },
      },
      { method: 'GET', path: '/records', handle: (_raw, req): RecordList => ({ items: store.list(parseRequest(RecordQuery, req.query, 'query')) }) },
      { method: 'GET', path: '/records/:id', handle: (_raw, req): DataRecord => store.get(id(req.params)) },
      { method: 'POST', path: '/records/:id/commit', mutates: true, handle: (_raw, req): DataRecord => store.transition(id(req.params), 'commit') },
      { method: 'DELETE', path: '/records/:id', mutates: true, handle: (_raw, req): DataRecord => store.transition(id(req.params), 'release') },
    ],
  });
}

/** Length in code points, not UTF-16 units, so "é" and "😀" count as one. */
const characterCount = (text: string) => [...text].length;

/** Letters (with their combining marks), digits, whitespace and common punctuation; anything else (< > { } ` $ \ …) is rejected. */
const ALLOWED = /[\p{L}\p{M}\p{N}\s.,;:!?'"’()\-_/@#&+*%=]/u;

/** POST /validate: an input that breaks the rules is a normal answer ({ valid: false }) listing every broken rule. */
function validateInput({ data, metadata }: ValidateRequest): ValidateResponse {
  const errors: ValidationIssue[] = [];
  if (data.trim() === '') errors.push({ field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' });
  const length = characterCount(data);
  if (length > MAX_DATA_LENGTH) {
    errors.push({ field: 'data', code: 'TOO_LONG', message: `data is ${length} characters long; the limit is ${MAX_DATA_LENGTH}` });
  }
  const rejected = [...new Set([...data].filter((ch) => !ALLOWED.test(ch)))];
  if (rejected.length > 0) {
    const shown = rejected.slice(0, 5).map((ch) => JSON.stringify(ch));
    if (rejected.length > 5) shown.push('…');
    errors.push({ field: 'data', code: 'INVALID_CHARACTERS', message: `data contains characters that are not allowed: ${shown.join(', ')}` });
  }
  const object = metadata === undefined ? undefined : Metadata.safeParse(metadata);
  if (object?.success === false) {
    errors.push({ field: 'metadata', code: 'NOT_AN_OBJECT', message: 'metadata must be a JSON object when given' });
  } else if (object && Object.keys(object.data).length > MAX_METADATA_KEYS) {
    errors.push({ field: 'metadata', code: 'TOO_MANY_KEYS', message: `metadata may have at most ${MAX_METADATA_KEYS} keys` });
  }
  return { valid: errors.length === 0, errors };
}

/** POST /process-internal: normalize the data, count it, hash it. */
function processInternal({ data, metadata = {} }: ProcessInternalRequest): ProcessInternalResponse {
  const normalized = normalize(data);
  return {
    normalized,
    wordCount: words(normalized).length,
    characterCount: characterCount(normalized),
    contentHash: sha256(normalized),
    metadata,
    processedBy: 'server-a',
    processedAt: new Date().toISOString(),
  };
}

// ---- state: the records, each change a transition checked here (a caller cannot commit a released record) ----

const TRANSITIONS: Transitions<RecordStatus, 'commit' | 'release'> = {
  commit: { from: ['reserved', 'committed'], to: 'committed' },
  release: { from: ['reserved', 'released'], to: 'released' },
};

const SELECT = `SELECT id, status, content_hash AS contentHash, created_by_key AS createdByKey, created_at AS createdAt, updated_at AS updatedAt
  FROM records`;

function recordStore(db: DatabaseSync) {
  db.exec(`CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY, status TEXT NOT NULL CHECK (status IN ('reserved', 'committed', 'released')), content_hash TEXT NOT NULL,
    created_by_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
  )`);
  const get = (id: string): DataRecord => {
    const record = db.prepare(`${SELECT} WHERE id = ?`).get(id) as DataRecord | undefined;
    if (!record) throw new HttpError(404, 'NOT_FOUND', `No record ${id}`);
    return record;
  };
  return {
    get,
    reserve(contentHash: string, createdByKey: string): DataRecord {
      // Stored answers last 24 h: a later retry under the key must still find what it created, not a 500.
      const existing = db.prepare(`${SELECT} WHERE created_by_key = ?`).get(createdByKey) as DataRecord | undefined;
      if (existing && existing.contentHash !== contentHash) {
        const message = `This Idempotency-Key already created record ${existing.id} from other data`;
        throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', message, { field: 'Idempotency-Key' });
      }
      if (existing) return existing;
      const id = `rec_${nanoid(12)}`;
      const at = new Date().toISOString();
      const insert = 'INSERT INTO records (id, status, content_hash, created_by_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';
      db.prepare(insert).run(id, 'reserved', contentHash, createdByKey, at, at);
      return get(id);
    },
    list(filter: RecordQuery): DataRecord[] {
      const where = '(:status IS NULL OR status = :status) AND (:key IS NULL OR created_by_key = :key)';
      const query = db.prepare(`${SELECT} WHERE ${where} ORDER BY created_at, id`);
      return query.all({ status: filter.status ?? null, key: filter.createdByKey ?? null }) as DataRecord[];
    },
    transition(id: string, action: keyof typeof TRANSITIONS): DataRecord {
      const to = nextStatus(TRANSITIONS, { kind: 'record', ...get(id) }, action);
      db.prepare('UPDATE records SET status = ?, updated_at = ? WHERE id = ?').run(to, new Date().toISOString(), id);
      return get(id);
    },
  };
}
