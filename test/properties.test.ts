// Property-based tests of both services (fast-check), with a fixed seed and a budget that keeps the
// test command fast; `npm run fuzz:services` runs the same properties much longer.
import { test } from 'vitest';
import { anyBodyIsAnsweredWellFormed, aRepeatedKeyGetsTheSameAnswer, validDataKeepsTheInvariants, withServices } from './support/service-properties.ts';

const RUN = { numRuns: 300, seed: 20261201 };

test('any body to any POST endpoint is answered without a 5xx, in the JSON error shape, with a request id', async () => {
  await withServices((a, b) => anyBodyIsAnsweredWellFormed(a, b, RUN));
});

test('valid data keeps the documented invariants: determinism, hash format, counts, score and keyword ranges', async () => {
  await withServices((a, b) => validDataKeepsTheInvariants(a, b, { ...RUN, numRuns: 60 }));
});

test('any body sent twice under one Idempotency-Key gets the same answer twice', async () => {
  await withServices((a, b) => aRepeatedKeyGetsTheSameAnswer(a, b, { ...RUN, numRuns: 60 }));
});
