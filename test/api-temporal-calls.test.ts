// What the API answers when a call to Temporal fails (api/temporal-link.ts), without a server: the gRPC
// errors a misconfigured or unreachable Temporal gives, as the SDK passes them on (wrapped or not).
import { status } from '@grpc/grpc-js';
import { expect, test } from 'vitest';
import { answerFor } from '../api/temporal-link.ts';
import { HttpError } from '../shared/service/http-error.ts';

function grpcError(code: status, details: string): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: {} });
}

test.each([
  [
    status.UNAUTHENTICATED,
    'Request unauthenticated',
    'Temporal refused the API (16 UNAUTHENTICATED: Request unauthenticated): check its TEMPORAL_API_KEY, TLS settings or profile',
  ],
  [
    status.PERMISSION_DENIED,
    'Request unauthorized',
    'Temporal refused the API (7 PERMISSION_DENIED: Request unauthorized): check its TEMPORAL_API_KEY, TLS settings or profile',
  ],
  [status.UNAVAILABLE, 'connection refused', 'Temporal is unavailable (14 UNAVAILABLE: connection refused); retry shortly'],
  [status.RESOURCE_EXHAUSTED, 'namespace rate limit exceeded', 'Temporal is unavailable (8 RESOURCE_EXHAUSTED: namespace rate limit exceeded); retry shortly'],
])('gRPC status %i is a 503 naming the cause', (code, details, message) => {
  const answer = answerFor(grpcError(code, details), 'default');
  expect(answer).toBeInstanceOf(HttpError);
  expect((answer as HttpError).status).toBe(503);
  expect((answer as HttpError).message).toContain(message);
});

test('a gRPC error the SDK wrapped is found in the cause chain', () => {
  const wrapped = new Error('Failed to describe workflow', { cause: grpcError(status.UNAVAILABLE, 'connection refused') });
  expect((answerFor(wrapped, 'default') as HttpError).status).toBe(503);
});

test('any other failure is passed on to the shared 500', () => {
  const error = grpcError(status.INVALID_ARGUMENT, 'invalid argument');
  expect(answerFor(error, 'default')).toBe(error);
});
