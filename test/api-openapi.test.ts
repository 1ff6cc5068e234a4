// api/openapi.json against the API as it is served: every route the app serves is documented and every
// documented operation is served, and what the description states about kinds and keys is what the code
// checks. That each real answer matches its documented schema is held by test/api.test.ts, answer by
// answer (test/support/api.ts). No Temporal needed.
import { describe, expect, test } from 'vitest';
import { createApiApp } from '../api/app.ts';
import { KEY_PATTERN } from '../api/params.ts';
import type { TemporalLink } from '../api/temporal-link.ts';
import { RUN_KIND_NAMES } from '../temporal/runs/kinds.ts';
import { checkAnswer, documentedOperations, pathTemplate, schemaErrors, spec } from './support/openapi.ts';
import { silentLogger } from './support/services.ts';

const noTemporal: TemporalLink = {
  client: () => {
    throw new Error('these tests never reach Temporal');
  },
  state: () => 'connecting',
  close: async () => {},
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** "METHOD /path/{param}" of every route the Express app has registered. */
function servedOperations(): string[] {
  const app = createApiApp({ logger: silentLogger(), temporal: noTemporal, namespace: 'default', taskQueue: 'unused' });
  const { stack } = (app as unknown as { router: { stack: Layer[] } }).router;
  return stack.flatMap(({ route }) =>
    route ? Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
}

describe('api/openapi.json', () => {
  test('every route the app serves is documented, and every documented operation is served', () => {
    expect(servedOperations().sort()).toEqual(documentedOperations().sort());
  });

  test('the kinds it lists are the ones the API starts, and its key pattern is the one the API checks', () => {
    expect(spec.components.schemas.Kind.enum).toEqual(RUN_KIND_NAMES);
    expect(spec.components.schemas.Key.pattern).toBe(KEY_PATTERN.source);
  });

  test('it is OpenAPI 3.1, and every operation documents its refusals in the services’ error shape', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    for (const [path, item] of Object.entries(spec.paths) as Array<[string, Record<string, { responses: Record<string, unknown> }>]>) {
      for (const [method, operation] of Object.entries(item)) {
        const errorAnswer = operation.responses.default as { content: Record<string, { schema: unknown }> } | undefined;
        expect({ path, method, default: errorAnswer?.content['application/json']?.schema }).toEqual({
          path,
          method,
          default: { $ref: '#/components/schemas/Error' },
        });
      }
    }
    expect(schemaErrors({ $ref: '#/components/schemas/Error' }, { error: { code: 'NOT_FOUND', message: 'No run', field: 'key' } })).toEqual([]);
    expect(schemaErrors({ $ref: '#/components/schemas/Error' }, { error: { code: 'NOT_FOUND' } })).not.toEqual([]);
  });

  test('a request reaches the most concrete documented path, and an answer outside the description is caught', () => {
    expect(pathTemplate('/workflows/order-1/approve')).toBe('/workflows/{key}/approve');
    expect(pathTemplate('/workflows/multi/order-1')).toBe('/workflows/{kind}/{key}');
    expect(checkAnswer('GET', '/workflows/order-1', 200, 'application/json', { workflowId: 'order-1' }).problems).not.toEqual([]);
    expect(checkAnswer('GET', '/workflows/order-1', 418, 'text/html', '<p>teapot</p>').problems).toEqual([
      'GET /workflows/{key} 418: documented as application/json, got text/html',
    ]);
    expect(checkAnswer('PUT', '/workflows/order-1', 405, 'application/json', {}).operation).toBeUndefined();
  });
});
