// Server B's own state: publications of Server A's records, in its SQLite database. Every change is a
// transition this module checks, so a caller cannot confirm a withdrawn publication.
import type { DatabaseSync } from 'node:sqlite';
import { nanoid } from 'nanoid';
import type { Publication, PublicationStatus } from '../shared/api.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { nextStatus, type Transitions } from '../shared/service/transitions.ts';

/** Which status each action may start from; the action's own target is allowed, so repeating it is harmless. */
const TRANSITIONS: Transitions<PublicationStatus, 'confirm' | 'withdraw'> = {
  confirm: { from: ['pending', 'published'], to: 'published' },
  // A published one can still be withdrawn: the saga's compensation when a later step fails.
  withdraw: { from: ['pending', 'published', 'withdrawn'], to: 'withdrawn' },
};

interface Row {
  id: string;
  record_id: string;
  status: PublicationStatus;
  content: string;
  created_by_key: string;
  created_at: string;
  updated_at: string;
}

export class PublicationStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS publications (
      id TEXT PRIMARY KEY,
      record_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'withdrawn')),
      content TEXT NOT NULL,
      created_by_key TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
  }

  submit(recordId: string, content: string, createdByKey: string, now = new Date()): Publication {
    // A key's stored answer is kept for 24 h only (shared/service/idempotency.ts): a later retry under the
    // same key must find the publication it created, not a second one or the UNIQUE constraint (a 500).
    const existing = this.db.prepare('SELECT * FROM publications WHERE created_by_key = ?').get(createdByKey) as Row | undefined;
    if (existing) {
      if (existing.record_id === recordId && existing.content === content) return toPublication(existing);
      throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', `This Idempotency-Key already created publication ${existing.id} from another record or content`, {
        field: 'Idempotency-Key',
      });
    }
    const id = `pub_${nanoid(12)}`;
    const at = now.toISOString();
    this.db
      .prepare('INSERT INTO publications (id, record_id, status, content, created_by_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, recordId, 'pending', content, createdByKey, at, at);
    return this.get(id);
  }

  get(id: string): Publication {
    const row = this.db.prepare('SELECT * FROM publications WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No publication ${id}`);
    return toPublication(row);
  }

  list(filter: { status?: PublicationStatus; createdByKey?: string; recordId?: string }): Publication[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM publications WHERE (? IS NULL OR status = ?) AND (? IS NULL OR created_by_key = ?) AND (? IS NULL OR record_id = ?)
         ORDER BY created_at, id`,
      )
      .all(
        filter.status ?? null,
        filter.status ?? null,
        filter.createdByKey ?? null,
        filter.createdByKey ?? null,
        filter.recordId ?? null,
        filter.recordId ?? null,
      ) as unknown as Row[];
    return rows.map(toPublication);
  }

  transition(id: string, action: keyof typeof TRANSITIONS, now = new Date()): Publication {
    const publication = this.get(id);
    const to = nextStatus(TRANSITIONS, { kind: 'publication', id, status: publication.status }, action);
    this.db.prepare('UPDATE publications SET status = ?, updated_at = ? WHERE id = ?').run(to, now.toISOString(), id);
    return this.get(id);
  }
}

function toPublication(row: Row): Publication {
  return {
    id: row.id,
    recordId: row.record_id,
    status: row.status,
    content: row.content,
    createdByKey: row.created_by_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
