// Properties every endpoint of both services must keep, for any body a client can send: never a 5xx
// (other than the documented 503s), always the JSON error shape with a request id, and for valid bodies
// the documented invariants. test/properties.test.ts runs them with a fixed seed and a small budget;
// `npm run fuzz:services` runs them long.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { RunningService } from '../../shared/service/serve.ts';
import { startServerA, startServerB } from './services.ts';

export interface PropertyRun {
  numRuns: number;
  seed: number;
}

const POST_ENDPOINTS: Array<['a' | 'b', string]> = [
  ['a', '/validate'],
  ['a', '/process-internal'],
  ['a', '/records'],
  ['b', '/process-external'],
  ['b', '/enrich'],
  ['b', '/third-party-api'],
  ['b', '/publications'],
];

/** 503s a service documents: a simulated third-party outage and a saturated service. */
const DOCUMENTED_503 = new Set(['UPSTREAM_UNAVAILABLE', 'SATURATED']);

async function post(service: RunningService, path: string, body: string, key: string) {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body,
  });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('x-request-id'), text };
}

function expectWellFormed(answer: { status: number; requestId: string | null; text: string }): void {
  expect(answer.requestId).toMatch(/^[\w.:/-]{1,128}$/);
  const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
  if (answer.status >= 500) expect(answer.status === 503 && DOCUMENTED_503.has(String(body.error?.code))).toBe(true);
  if (answer.status >= 400) {
    expect(typeof body.error?.code).toBe('string');
    expect(typeof body.error?.message).toBe('string');
    expect(['undefined', 'string']).toContain(typeof body.error?.field);
  }
}

export async function withServices<T>(body: (a: RunningService, b: RunningService) => Promise<T>): Promise<T> {
  const a = await startServerA();
  // A small third-party latency bound keeps a fuzzed `latencyMs` from making runs slow.
  const b = await startServerB({ thirdParty: { latencyMs: 0, failureRate: 0 } });
  try {
    return await body(a, b);
  } finally {
    await a.close(0);
    await b.close(0);
  }
}

/** Any JSON value, or any text at all, to every POST endpoint: well-formed answers only. */
export async function anyBodyIsAnsweredWellFormed(a: RunningService, b: RunningService, run: PropertyRun): Promise<void> {
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.record({ data: fc.string(), query: fc.string(), latencyMs: fc.integer({ min: 0, max: 5 }) }).map((v) => JSON.stringify(v)),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...POST_ENDPOINTS), body, async ([which, path], text) => {
      expectWellFormed(await post(which === 'a' ? a : b, path, text, `fuzz-${run.seed}-${n++}`));
    }),
    { numRuns: run.numRuns, seed: run.seed },
  );
}

/** Valid data: /process-internal and /enrich are deterministic and keep their documented ranges. */
export async function validDataKeepsTheInvariants(a: RunningService, b: RunningService, run: PropertyRun): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), async (data) => {
      const body = JSON.stringify({ data });
      const [first, second] = [await post(a, '/process-internal', body, 'x'), await post(a, '/process-internal', body, 'y')];
      expect(first.status).toBe(200);
      const [x, y] = [JSON.parse(first.text), JSON.parse(second.text)] as Array<Record<string, unknown>>;
      expect({ ...x, processedAt: null }).toEqual({ ...y, processedAt: null });
      expect(x!.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(x!.wordCount as number).toBeLessThanOrEqual(x!.characterCount as number);
      const enriched = JSON.parse((await post(b, '/enrich', body, 'z')).text) as { score: number; keywords: string[] };
      expect(enriched.score).toBeGreaterThanOrEqual(0);
      expect(enriched.score).toBeLessThanOrEqual(100);
      expect(enriched.keywords.length).toBeLessThanOrEqual(5);
    }),
    { numRuns: run.numRuns, seed: run.seed },
  );
}

/** Any body sent twice under one Idempotency-Key gets the same answer twice. */
export async function aRepeatedKeyGetsTheSameAnswer(a: RunningService, b: RunningService, run: PropertyRun): Promise<void> {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<['a' | 'b', string]>(['a', '/records'], ['b', '/publications']),
      fc.oneof(fc.record({ data: fc.string() }), fc.record({ recordId: fc.string(), content: fc.string() }), fc.jsonValue({ maxDepth: 3 })),
      async ([which, path], value) => {
        const service = which === 'a' ? a : b;
        const key = `repeat-${run.seed}-${n++}`;
        const text = JSON.stringify(value);
        const [first, second] = [await post(service, path, text, key), await post(service, path, text, key)];
        expect({ status: second.status, text: second.text }).toEqual({ status: first.status, text: first.text });
      },
    ),
    { numRuns: run.numRuns, seed: run.seed },
  );
}
