// The fault knob: makes a service apply a change (and store its answer) and then fail before
// answering, with a 503 or a dropped connection. That is what a lost answer looks like to the caller,
// so a retry under the same Idempotency-Key can prove the change happened exactly once. Asked for per
// request by header (curl, tests) or for a whole app by a FaultPlan (FAULT_AFTER_APPLY, FAULT_RATE).
import type { Request } from 'express';
import { HttpError } from './http-error.ts';
import type { StoredAnswer } from './idempotency.ts';

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

/** Acts out a fault after the change (or its replay): a dropped connection, or a 503. */
export function answerLost(req: Request, fault: FaultAfterApply | undefined): boolean {
  if (fault === 'drop') {
    // The change is committed and its answer stored; the caller just never hears it.
    req.socket.destroy();
    return true;
  }
  if (fault === '503') throw new HttpError(503, 'SIMULATED_FAULT', 'Simulated fault after the change was applied; retry with the same Idempotency-Key');
  return false;
}

export function delayOf(req: Request): number {
  const raw = req.get(DELAY_HEADER);
  if (raw === undefined) return 0;
  // Digits only: Number() alone would also take "", " ", "1e3" and "0x10".
  const ms = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || ms > MAX_DELAY_MS) {
    throw new HttpError(400, 'INVALID_FIELD', `${DELAY_HEADER} must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`, { field: DELAY_HEADER });
  }
  return ms;
}

export function requestedFault(req: Request): FaultAfterApply | undefined {
  const header = req.get(FAULT_HEADER);
  if (header === undefined || header === '503' || header === 'drop') return header;
  throw new HttpError(400, 'INVALID_FIELD', `${FAULT_HEADER} must be 503 or drop`, { field: FAULT_HEADER });
}

export function faultFor(requested: FaultAfterApply | undefined, endpoint: string, plan: FaultPlan, answer: StoredAnswer): FaultAfterApply | undefined {
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
