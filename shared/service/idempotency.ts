// Exactly-once effects for mutating requests, after the IETF Idempotency-Key draft:
//  - no Idempotency-Key on a mutating request: 400;
//  - the same key with the same body: the first answer again (same status and body), marked with an
//    `Idempotent-Replayed: true` header;
//  - the same key with a different body: 422;
//  - the same key while its first request is still being processed: 409 with Retry-After.
// The answer is stored in the same transaction as the effect, so an effect never exists without its
// answer and a retry can always be served. Answers are kept for KEEP_MS (24 h). A claim whose process
// died before finishing is taken over after CLAIM_LEASE_MS.
import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { HttpError } from './http-error.ts';
import { transaction } from './sqlite.ts';

export const KEEP_MS = 24 * 60 * 60 * 1000;
export const CLAIM_LEASE_MS = 30_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type Claim = { kind: 'new' } | { kind: 'replay'; answer: StoredAnswer };

export class IdempotencyStore {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  constructor(db: DatabaseSync, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      key TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      claimed_at INTEGER NOT NULL,
      status INTEGER,
      body TEXT
    )`);
  }

  /** The key of a request, checked; 400 naming the header when it is missing or malformed. */
  static keyOf(header: string | undefined): string {
    if (header === undefined || header === '') {
      throw new HttpError(400, 'MISSING_IDEMPOTENCY_KEY', 'This request changes state: send an Idempotency-Key header', { field: 'Idempotency-Key' });
    }
    if (!KEY_PATTERN.test(header)) {
      throw new HttpError(400, 'MISSING_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters', { field: 'Idempotency-Key' });
    }
    return header;
  }

  static fingerprint(method: string, path: string, body: unknown): string {
    // No body, an empty one and {} are the same request: the body parser reports an empty body either way
    // depending on the headers and on whether the client is still connected.
    const empty = body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
    return createHash('sha256')
      .update(`${method} ${path}\n${empty ? '' : JSON.stringify(body)}`)
      .digest('hex');
  }

  /** Claims `key` for a new request, or says what the earlier one answered; throws 409/422 otherwise. */
  claim(key: string, fingerprint: string): Claim {
    return transaction(this.db, () => {
      const now = this.now();
      // Answers and abandoned claims alike: a claim's lease is long over after KEEP_MS.
      this.db.prepare('DELETE FROM idempotency_keys WHERE claimed_at < ?').run(now - KEEP_MS);
      const row = this.db.prepare('SELECT fingerprint, claimed_at, status, body FROM idempotency_keys WHERE key = ?').get(key) as
        { fingerprint: string; claimed_at: number; status: number | null; body: string | null } | undefined;
      if (row && row.fingerprint !== fingerprint) {
        throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request', {
          field: 'Idempotency-Key',
        });
      }
      if (row && row.status !== null) return { kind: 'replay', answer: { status: row.status, body: JSON.parse(row.body ?? 'null') } };
      if (row && now - row.claimed_at < CLAIM_LEASE_MS) {
        throw new HttpError(409, 'REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', {
          headers: { 'Retry-After': '1' },
        });
      }
      this.db.prepare('INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, claimed_at) VALUES (?, ?, ?)').run(key, fingerprint, now);
      return { kind: 'new' };
    });
  }

  /**
   * Runs the effect and stores its answer in one transaction. An answer the client caused (4xx) is
   * stored like a success: the same request would get it again. Anything else rolls back and frees the
   * key, so a retry runs the request anew.
   */
  apply(key: string, effect: () => StoredAnswer): StoredAnswer {
    try {
      return transaction(this.db, () => {
        const answer = effect();
        this.store(key, answer);
        return answer;
      });
    } catch (error) {
      if (error instanceof HttpError && error.status >= 400 && error.status < 500) {
        const answer = { status: error.status, body: error.toBody() };
        transaction(this.db, () => this.store(key, answer));
        return answer;
      }
      this.db.prepare('DELETE FROM idempotency_keys WHERE key = ? AND status IS NULL').run(key);
      throw error;
    }
  }

  private store(key: string, answer: StoredAnswer): void {
    this.db.prepare('UPDATE idempotency_keys SET status = ?, body = ? WHERE key = ?').run(answer.status, JSON.stringify(answer.body), key);
  }
}
