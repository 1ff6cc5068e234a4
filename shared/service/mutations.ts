// How a mutating route runs: under its Idempotency-Key (see idempotency.ts), with the fault knob that
// lets a service apply a change and then fail before answering (a 503, or a dropped connection), which
// is what a retry after a lost answer looks like to the caller.
import type { Request, Response } from 'express';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAY_HEADER } from '../api.ts';
import { HttpError } from './http-error.ts';
import { IdempotencyStore, type StoredAnswer } from './idempotency.ts';

/** A handler's answer with a status other than 200 (201 Created, say). */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    this.status = status;
    this.body = body;
  }
}

export type FaultAfterApply = '503' | 'drop';

/** Per-request knob, for curl and tests: fail after the change was applied. */
export const FAULT_HEADER = 'x-fault-after-apply';
/** Per-request knob: hold the request this long between claiming its key and applying it. */
export const DELAY_HEADER = 'x-simulate-delay-ms';
const MAX_DELAY_MS = 10_000;

export interface FaultPlan {
  /** What to do after applying a change, for the endpoints named (all mutating ones when absent). */
  afterApply?: FaultAfterApply;
  /** "POST /records/:id/commit"-style keys the fault applies to. */
  endpoints?: string[];
  /** The share of matching requests that fail, 0 to 1 (default 1). */
  rate?: number;
  /** Only the first this many matching requests fail. */
  times?: number;
  random?: () => number;
  /** Lose replayed answers too: the way back from the service stays broken, not just the first answer. */
  loseReplays?: boolean;
}

export function toAnswer(result: unknown): StoredAnswer {
  return result instanceof Reply ? { status: result.status, body: result.body } : { status: 200, body: result };
}

export async function runMutation(
  req: Request,
  res: Response,
  endpoint: string,
  store: IdempotencyStore,
  faults: FaultPlan,
  effect: () => unknown,
): Promise<void> {
  const key = IdempotencyStore.keyOf(req.get(IDEMPOTENCY_KEY_HEADER));
  // Knobs are checked before anything happens: a bad one must not leave a change behind.
  const requested = requestedFault(req);
  const delay = delayOf(req);
  const claim = store.claim(key, IdempotencyStore.fingerprint(req.method, req.path, req.body));
  if (claim.kind === 'replay') {
    if (faults.loseReplays && answerLost(req, faultFor(undefined, endpoint, faults, claim.answer))) return;
    res.status(claim.answer.status).set(IDEMPOTENT_REPLAY_HEADER, 'true').json(claim.answer.body);
    return;
  }
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const answer = store.apply(key, () => {
    const result = effect();
    // The change and its stored answer share one synchronous transaction: an async handler would escape it.
    if (result instanceof Promise) throw new Error(`${endpoint} changes state, so its handler must be synchronous`);
    return toAnswer(result);
  });
  if (answerLost(req, faultFor(requested, endpoint, faults, answer))) return;
  res.status(answer.status).json(answer.body);
}

/** Acts out a fault after the change (or its replay): a dropped connection, or a 503. */
function answerLost(req: Request, fault: FaultAfterApply | undefined): boolean {
  if (fault === 'drop') {
    // The change is committed and its answer stored; the caller just never hears it.
    req.socket.destroy();
    return true;
  }
  if (fault === '503') throw new HttpError(503, 'SIMULATED_FAULT', 'Simulated fault after the change was applied; retry with the same Idempotency-Key');
  return false;
}

function delayOf(req: Request): number {
  const raw = req.get(DELAY_HEADER);
  if (raw === undefined) return 0;
  // Digits only: Number() alone would also take "", " ", "1e3" and "0x10".
  const ms = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || ms > MAX_DELAY_MS) {
    throw new HttpError(400, 'INVALID_FIELD', `${DELAY_HEADER} must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`, { field: DELAY_HEADER });
  }
  return ms;
}

function requestedFault(req: Request): FaultAfterApply | undefined {
  const header = req.get(FAULT_HEADER);
  if (header === undefined || header === '503' || header === 'drop') return header;
  throw new HttpError(400, 'INVALID_FIELD', `${FAULT_HEADER} must be 503 or drop`, { field: FAULT_HEADER });
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
