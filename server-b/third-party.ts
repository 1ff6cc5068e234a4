// POST /third-party-api: a slow, unreliable outside service. Its failures are honest HTTP answers
// (503 or 429 with Retry-After) so the activity's retry behaviour against it is real.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ThirdPartyRequest, ThirdPartyResponse } from '../shared/api.ts';
import { HttpError } from '../shared/service/http-error.ts';

export interface ThirdPartySettings {
  latencyMs: number;
  failureRate: number;
}

export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * `random` is injectable so a failure rate between 0 and 1 can be tested deterministically. `signal`
 * ends the wait when the caller has gone: an abandoned call must not hold its timer and body for 20 s.
 */
export async function callThirdParty(
  request: ThirdPartyRequest,
  settings: ThirdPartySettings,
  random: () => number = Math.random,
  signal?: AbortSignal,
): Promise<ThirdPartyResponse> {
  const latencyMs = request.latencyMs ?? settings.latencyMs;
  const failureRate = request.failureRate ?? settings.failureRate;
  await sleep(latencyMs, undefined, signal ? { signal } : {});
  if (random() < failureRate) {
    const retryAfter = String(request.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
    if (request.failureStatus === 429) {
      throw new HttpError(429, 'RATE_LIMITED', `Simulated rate limit; retry after ${retryAfter}s`, { headers: { 'Retry-After': retryAfter } });
    }
    throw new HttpError(503, 'UPSTREAM_UNAVAILABLE', `Simulated outage; retry after ${retryAfter}s`, { headers: { 'Retry-After': retryAfter } });
  }
  return {
    provider: 'simulated-third-party',
    query: request.query,
    answer: { reversed: [...request.query].reverse().join(''), length: [...request.query].length },
    latencyMs,
    answeredAt: new Date().toISOString(),
  };
}
