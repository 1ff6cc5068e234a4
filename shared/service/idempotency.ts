// A service's SQLite database (node:sqlite), the rule for a change of status, and exactly-once effects after
// the IETF Idempotency-Key draft (rules in docs/services.md). The answer is stored in the effect's transaction,
// so a retry can always be served. Also the fault knob: apply a change, then lose its answer.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Request, Response } from 'express';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAY_HEADER } from '../contract.ts';
import { sha256 } from '../text.ts';
import { HttpError } from './http-error.ts';

/** How long answers are kept; a claim whose process died before finishing is taken over after the lease. */
export const KEEP_MS = 24 * 60 * 60 * 1000;
export const CLAIM_LEASE_MS = 30_000;

export type StoredAnswer = { status: number; body: unknown };

/** ':memory:' for a database that lives as long as the process (tests), else a file. */
export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // WAL: readers do not block the writer; NORMAL sync is durable across a process crash (not a power cut).
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  return db;
}

function transaction<T>(db: DatabaseSync, work: () => T): T {
  // IMMEDIATE takes the write lock up front: with a plain BEGIN, two writers could both read, then conflict.
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may have rolled back already (after SQLITE_FULL, say); the error worth passing on is the first.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Which statuses an action may start from (its own target among them, so repeating it is harmless), and its target. */
export type Transitions<Status extends string, Action extends string> = Record<Action, { from: readonly Status[]; to: Status }>;

/** The status `action` leads to from the current one; 409 INVALID_TRANSITION, naming both, when it may not start there. */
export function nextStatus<Status extends string, Action extends string>(
  transitions: Transitions<Status, Action>,
  resource: { kind: string; id: string; status: Status },
  action: Action,
): Status {
  const { from, to } = transitions[action];
  if (from.includes(resource.status)) return to;
  const { kind, id, status } = resource;
  throw new HttpError(409, 'INVALID_TRANSITION', `Cannot ${action} ${kind} ${id}: it is ${status}, and only a ${from[0]} ${kind} can become ${to}`);
}

export class IdempotencyStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, claimed_at INTEGER NOT NULL, status INTEGER, body TEXT
    )`);
  }

  static fingerprint(method: string, path: string, body: unknown): string {
    // No body, an empty one and {} are the same request: the body parser reports either, depending on the headers.
    const empty = body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
    return sha256(`${method} ${path}\n${empty ? '' : JSON.stringify(body)}`);
  }

  /** Claims `key` for a new request, or says what the earlier one answered; throws 409/422 otherwise. */
  claim(key: string, fingerprint: string): { kind: 'new' } | { kind: 'replay'; answer: StoredAnswer } {
    return transaction(this.db, () => {
      const now = Date.now();
      // Answers and abandoned claims alike: a claim's lease is long over after KEEP_MS.
      this.db.prepare('DELETE FROM idempotency_keys WHERE claimed_at < ?').run(now - KEEP_MS);
      const row = this.db.prepare('SELECT * FROM idempotency_keys WHERE key = ?').get(key) as
        { fingerprint: string; claimed_at: number; status: number | null; body: string | null } | undefined;
      if (row && row.fingerprint !== fingerprint) {
        const message = 'This Idempotency-Key was already used with a different request';
        throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', message, { field: 'Idempotency-Key' });
      }
      if (row && row.status !== null) return { kind: 'replay', answer: { status: row.status, body: JSON.parse(row.body ?? 'null') } };
      if (row && now - row.claimed_at < CLAIM_LEASE_MS) {
        const message = 'A request with this Idempotency-Key is still being processed';
        throw new HttpError(409, 'REQUEST_IN_PROGRESS', message, { headers: { 'Retry-After': '1' } });
      }
      this.db.prepare('INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, claimed_at) VALUES (?, ?, ?)').run(key, fingerprint, now);
      return { kind: 'new' };
    });
  }

  /** Runs the effect and stores its answer in one transaction; a 4xx is stored too, anything else frees the key. */
  apply(key: string, effect: () => StoredAnswer): StoredAnswer {
    const store = (answer: StoredAnswer) => {
      this.db.prepare('UPDATE idempotency_keys SET status = ?, body = ? WHERE key = ?').run(answer.status, JSON.stringify(answer.body), key);
      return answer;
    };
    try {
      return transaction(this.db, () => store(effect()));
    } catch (error) {
      if (error instanceof HttpError && error.status < 500) return transaction(this.db, () => store({ status: error.status, body: error.toBody() }));
      this.db.prepare('DELETE FROM idempotency_keys WHERE key = ? AND status IS NULL').run(key);
      throw error;
    }
  }
}

/** The request's Idempotency-Key (400 when missing or malformed); handlers keep it as the key that created something. */
export function idempotencyKeyOf(req: Request): string {
  const key = req.get(IDEMPOTENCY_KEY_HEADER);
  if (key && /^[\x21-\x7e]{1,255}$/.test(key)) return key;
  const message = key ? 'Idempotency-Key must be 1 to 255 visible ASCII characters' : 'This request changes state: send an Idempotency-Key header';
  throw new HttpError(400, 'MISSING_IDEMPOTENCY_KEY', message, { field: 'Idempotency-Key' });
}

/** How create-app.ts runs a mutating route: under its key, exactly once, with the fault knob. */
export async function runMutation(res: Response, endpoint: string, store: IdempotencyStore, faults: FaultPlan, effect: () => StoredAnswer): Promise<void> {
  const req = res.req;
  const key = idempotencyKeyOf(req);
  const { requested, delayMs } = knobsOf(req);
  const claim = store.claim(key, IdempotencyStore.fingerprint(req.method, req.path, req.body));
  if (claim.kind === 'replay') {
    if (faults.loseReplays && answerLost(req, faultFor(undefined, endpoint, faults, claim.answer))) return;
    res.status(claim.answer.status).set(IDEMPOTENT_REPLAY_HEADER, 'true').json(claim.answer.body);
    return;
  }
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const answer = store.apply(key, effect);
  if (answerLost(req, faultFor(requested, endpoint, faults, answer))) return;
  res.status(answer.status).json(answer.body);
}

// ---- the fault knob: per request by header (curl, tests), or per app by a FaultPlan (FAULT_AFTER_APPLY) ----

type FaultAfterApply = '503' | 'drop';

/** Per-request knobs: fail after applying the change; wait this long between claiming the key and applying it. */
const FAULT_HEADER = 'x-fault-after-apply';
const DELAY_HEADER = 'x-simulate-delay-ms';
const MAX_DELAY_MS = 10_000;

export interface FaultPlan {
  afterApply?: FaultAfterApply;
  /** "POST /records/:id/commit"-style keys the fault applies to; all mutating endpoints when absent. */
  endpoints?: string[];
  /** The share of matching requests that fail, 0 to 1 (default 1), and how many at most. */
  rate?: number;
  times?: number;
  random?: () => number;
  /** Lose replayed answers too: the way back stays broken, not just the first answer. */
  loseReplays?: boolean;
}

/** The request's knobs, checked before anything happens: a bad one must not leave a change behind. */
function knobsOf(req: Request): { requested: FaultAfterApply | undefined; delayMs: number } {
  const requested = req.get(FAULT_HEADER);
  if (requested !== undefined && requested !== '503' && requested !== 'drop') {
    throw new HttpError(400, 'INVALID_FIELD', `${FAULT_HEADER} must be 503 or drop`, { field: FAULT_HEADER });
  }
  const delay = req.get(DELAY_HEADER) ?? '0';
  // Digits only: Number() alone would also take "", " ", "1e3" and "0x10".
  if (!/^\d{1,5}$/.test(delay) || Number(delay) > MAX_DELAY_MS) {
    const message = `${DELAY_HEADER} must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`;
    throw new HttpError(400, 'INVALID_FIELD', message, { field: DELAY_HEADER });
  }
  return { requested, delayMs: Number(delay) };
}

/** Acts out a fault after the change (or its replay): a 503, or a dropped connection (true: there is nothing more to send). */
function answerLost(req: Request, fault: FaultAfterApply | undefined): boolean {
  if (fault === '503') throw new HttpError(503, 'SIMULATED_FAULT', 'Simulated fault after the change was applied; retry with the same Idempotency-Key');
  // The change is committed and its answer stored; the caller just never hears it.
  if (fault === 'drop') req.socket.destroy();
  return fault === 'drop';
}

function faultFor(requested: FaultAfterApply | undefined, endpoint: string, plan: FaultPlan, answer: StoredAnswer): FaultAfterApply | undefined {
  // Only a change that happened can be "applied, then lost".
  if (answer.status >= 300) return undefined;
  if (requested) return requested;
  if (!plan.afterApply || (plan.endpoints && !plan.endpoints.includes(endpoint))) return undefined;
  if (plan.times !== undefined) {
    if (plan.times <= 0) return undefined;
    plan.times -= 1;
  }
  return (plan.random ?? Math.random)() < (plan.rate ?? 1) ? plan.afterApply : undefined;
}
