// How a mutating route runs: under its Idempotency-Key (see idempotency.ts), the change and its answer
// stored together, with the fault knob of faults.ts acted out once the change is applied.
import type { Request, Response } from 'express';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAY_HEADER } from '../api.ts';
import { answerLost, delayOf, type FaultPlan, faultFor, requestedFault } from './faults.ts';
import { IdempotencyStore } from './idempotency.ts';
import { toAnswer } from './reply.ts';

export async function runMutation(
  req: Request,
  res: Response,
  endpoint: string,
  store: IdempotencyStore,
  faults: FaultPlan,
  effect: () => unknown,
): Promise<void> {
  const key = idempotencyKeyOf(req);
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

/** The request's Idempotency-Key, checked: 400 when it is missing or malformed. For handlers that keep the key that created something. */
export function idempotencyKeyOf(req: Request): string {
  return IdempotencyStore.keyOf(req.get(IDEMPOTENCY_KEY_HEADER));
}
