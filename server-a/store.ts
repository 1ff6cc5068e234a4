// Server A's own state: the records a saga reserves, commits or releases, in its SQLite database.
// Every change is a transition this module checks, so a caller cannot commit a released record.
import type { DatabaseSync } from 'node:sqlite';
import { nanoid } from 'nanoid';
import type { DataRecord, RecordStatus } from '../shared/api.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { nextStatus, type Transitions } from '../shared/service/transitions.ts';

/** Which status each action may start from; the action's own target is allowed, so repeating it is harmless. */
const TRANSITIONS: Transitions<RecordStatus, 'commit' | 'release'> = {
  commit: { from: ['reserved', 'committed'], to: 'committed' },
  release: { from: ['reserved', 'released'], to: 'released' },
};

interface Row {
  id: string;
  status: RecordStatus;
  content_hash: string;
  created_by_key: string;
  created_at: string;
  updated_at: string;
}

export class RecordStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS records (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('reserved', 'committed', 'released')),
      content_hash TEXT NOT NULL,
      created_by_key TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
  }

  reserve(contentHash: string, createdByKey: string, now = new Date()): DataRecord {
    // A key's stored answer is kept for 24 h only (shared/service/idempotency.ts): a later retry under the
    // same key must find the record it created, not a second one or the UNIQUE constraint (a 500).
    const existing = this.db.prepare('SELECT * FROM records WHERE created_by_key = ?').get(createdByKey) as Row | undefined;
    if (existing) {
      if (existing.content_hash === contentHash) return toRecord(existing);
      throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', `This Idempotency-Key already created record ${existing.id} from other data`, {
        field: 'Idempotency-Key',
      });
    }
    const id = `rec_${nanoid(12)}`;
    const at = now.toISOString();
    this.db
      .prepare('INSERT INTO records (id, status, content_hash, created_by_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, 'reserved', contentHash, createdByKey, at, at);
    return this.get(id);
  }

  get(id: string): DataRecord {
    const row = this.db.prepare('SELECT * FROM records WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No record ${id}`);
    return toRecord(row);
  }

  list(filter: { status?: RecordStatus; createdByKey?: string }): DataRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM records WHERE (? IS NULL OR status = ?) AND (? IS NULL OR created_by_key = ?) ORDER BY created_at, id')
      .all(filter.status ?? null, filter.status ?? null, filter.createdByKey ?? null, filter.createdByKey ?? null) as unknown as Row[];
    return rows.map(toRecord);
  }

  transition(id: string, action: keyof typeof TRANSITIONS, now = new Date()): DataRecord {
    const record = this.get(id);
    const to = nextStatus(TRANSITIONS, { kind: 'record', id, status: record.status }, action);
    this.db.prepare('UPDATE records SET status = ?, updated_at = ? WHERE id = ?').run(to, now.toISOString(), id);
    return this.get(id);
  }
}

function toRecord(row: Row): DataRecord {
  return {
    id: row.id,
    status: row.status,
    contentHash: row.content_hash,
    createdByKey: row.created_by_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
