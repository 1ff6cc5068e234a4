// The API's generated OpenAPI document (api/openapi.ts) against the API as it is served: every route is
// documented and every documented operation served, the document GET /openapi.json sends is that one, and
// its kinds and key are the ones the code checks. That each real answer matches its documented schema is
// held by test/api.test.ts, answer by answer (test/support/api.ts). No Temporal needed.
import { describe, expect, test } from 'vitest';
import { createApiApp } from '../api/app.ts';
import type { TemporalLink } from '../api/temporal-link.ts';
import { RUN_KIND_NAMES, RUN_KINDS } from '../temporal/run-kinds.ts';
import { startApi, testIdentities } from './support/api.ts';
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
  const app = createApiApp({
    logger: silentLogger(),
    temporal: noTemporal,
    namespace: 'default',
    taskQueue: 'unused',
    identities: testIdentities,
    limits: { failuresPerMinute: 1, startsPerMinute: 1 },
    webUi: null,
  });
  const { stack } = (app as unknown as { router: { stack: Layer[] } }).router;
  return stack.flatMap(({ route }) =>
    route ? Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
}

describe('the API’s OpenAPI document', () => {
  test('every route the app serves is documented, and every documented operation is served', () => {
    expect(servedOperations().sort()).toEqual(documentedOperations().sort());
  });

  test('GET /openapi.json serves it', async () => {
    const api = await startApi({ temporal: noTemporal, taskQueue: 'unused' });
    try {
      const { status, body } = await api.call('GET', '/openapi.json');
      expect({ status, body }).toEqual({ status: 200, body: spec });
    } finally {
      await api.close();
    }
  });

  test('each kind’s documented input accepts and refuses what the kind’s own check does', () => {
    const inputs = [
      { data: 'x' },
      { data: 'x', review: true },
      { data: 'x', thirdParty: { latencyMs: 5 } },
      { data: 5 },
      {},
      { kind: 'simple', items: [{ data: 'x' }] },
    ];
    for (const kind of RUN_KIND_NAMES) {
      const component = { $ref: `#/components/schemas/${kind[0]!.toUpperCase()}${kind.slice(1)}Input` };
      for (const input of inputs) {
        expect({ kind, input, documented: schemaErrors(component, input).length === 0 }).toEqual({
          kind,
          input,
          documented: RUN_KINDS[kind].issues(input).length === 0,
        });
      }
    }
  });

  test('it is OpenAPI 3.1, and every operation documents its refusals in the services’ error shape', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    for (const [path, item] of Object.entries(spec.paths)) {
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
