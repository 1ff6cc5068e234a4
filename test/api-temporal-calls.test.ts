// What the API answers when a call to Temporal fails (api/temporal-calls.ts), without a server: the gRPC
// errors a misconfigured or unreachable Temporal gives, as the SDK passes them on.
import { expect, test } from 'vitest';
import { answerFor } from '../api/temporal-calls.ts';
import { HttpError } from '../shared/service/http-error.ts';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

test.each([
  [16, 'Request unauthenticated', 'Temporal refused the API (16 Request unauthenticated): check its TEMPORAL_API_KEY, TLS settings or profile'],
  [7, 'Request unauthorized', 'Temporal refused the API (7 Request unauthorized): check its TEMPORAL_API_KEY, TLS settings or profile'],
  [14, 'connection refused', 'Temporal is unavailable (14 connection refused); retry shortly'],
])('gRPC code %i is a 503 naming the cause', (code, details, message) => {
  const answer = answerFor(grpcError(code, details), 'default');
  expect(answer).toBeInstanceOf(HttpError);
  expect((answer as HttpError).status).toBe(503);
  expect((answer as HttpError).message).toContain(message);
});

test('any other failure is passed on to the shared 500', () => {
  const error = grpcError(3, 'invalid argument');
  expect(answerFor(error, 'default')).toBe(error);
});
