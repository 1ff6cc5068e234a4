// Bounds that two sides must agree on: a service enforces them on requests, and the workflows check
// the same bounds on their input, so a bad value fails at the boundary instead of inside a step.
// Plain constants with no imports, so workflow code may import this file.

/** Upper bound on a requested simulated latency of Server B's third party (below the activity's HTTP timeout). */
export const MAX_THIRD_PARTY_LATENCY_MS = 20_000;
/** Upper bound on the Retry-After a simulated third-party failure may ask for. */
export const MAX_RETRY_AFTER_SECONDS = 3_600;
