// Registering the project's search attributes (temporal/search-attributes-registration.ts): against a
// stand-in operator service for the race and the type clash, and against the suite's real server, on a
// namespace of the test's own (so the first call really registers) and on the suite's namespace.
import type { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureSearchAttributes } from '../temporal/search-attributes-registration.ts';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/workflows/search-attributes.ts';
import { connectToTemporal, TEMPORAL_TAG, temporal, type TemporalConnections } from './support/temporal.ts';

const { IndexedValueType } = protos.temporal.api.enums.v1;
const KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const NAMES = SEARCH_ATTRIBUTE_KEYS.map((k) => k.name);

/** A gRPC error as the SDK's connection throws it. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

/** An operator service holding `existing`; `addError` makes addSearchAttributes fail (after recording the call). */
function stubOperator(existing: Record<string, number>, addError?: Error) {
  const added: Array<Record<string, number>> = [];
  const operatorService = {
    listSearchAttributes: async () => ({ customAttributes: { ...existing }, systemAttributes: {}, storageSchema: {} }),
    addSearchAttributes: async ({ searchAttributes }: { searchAttributes: Record<string, number> }) => {
      added.push(searchAttributes);
      if (addError) throw addError;
      return {};
    },
  };
  return { connection: { operatorService } as unknown as Pick<Connection, 'operatorService'>, added };
}

describe('ensureSearchAttributes', () => {
  test('adds only the missing keys, as KEYWORD, in one request, and returns their names', async () => {
    const { connection, added } = stubOperator({ DataCategory: KEYWORD, SomethingElse: IndexedValueType.INDEXED_VALUE_TYPE_INT });
    expect(await ensureSearchAttributes(connection, 'ns')).toEqual(['CurrentStep', 'ReviewState']);
    expect(added).toEqual([{ CurrentStep: KEYWORD, ReviewState: KEYWORD }]);
  });

  test('asks for nothing when all are there', async () => {
    const { connection, added } = stubOperator(Object.fromEntries(NAMES.map((n) => [n, KEYWORD])));
    expect(await ensureSearchAttributes(connection, 'ns')).toEqual([]);
    expect(added).toEqual([]);
  });

  test('another process registering them first (ALREADY_EXISTS) is success; any other refusal is thrown', async () => {
    const raced = stubOperator({}, grpcError(6, 'search attribute DataCategory already exists'));
    expect(await ensureSearchAttributes(raced.connection, 'ns')).toEqual(NAMES);
    const denied = stubOperator({}, grpcError(7, 'permission denied'));
    await expect(ensureSearchAttributes(denied.connection, 'ns')).rejects.toThrow('permission denied');
  });

  test('a key registered with another type is an error naming the key, both types and the way out', async () => {
    const { connection, added } = stubOperator({ CurrentStep: IndexedValueType.INDEXED_VALUE_TYPE_TEXT });
    await expect(ensureSearchAttributes(connection, 'orders')).rejects.toThrow(
      'Search attribute CurrentStep is registered on namespace "orders" as TEXT, but this project needs KEYWORD: remove it (temporal operator search-attribute remove --name CurrentStep) or use another namespace',
    );
    expect(added).toEqual([]);
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} ensureSearchAttributes on a real server`, () => {
  let connections: TemporalConnections;
  beforeAll(async () => {
    connections = await connectToTemporal();
  });
  afterAll(async () => {
    await connections?.close();
  });

  const keywordsOf = async (namespace: string) => {
    const { customAttributes } = await connections.nativeConnection.operatorService.listSearchAttributes({ namespace });
    return Object.fromEntries(NAMES.map((name) => [name, customAttributes?.[name]]));
  };

  test('a new namespace: the first call registers all three as Keyword, the second adds nothing', async () => {
    const namespace = `test-attributes-${nanoid(8)}`;
    await connections.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: protos.google.protobuf.Duration.fromObject({ seconds: 86_400 }),
    });
    expect(await keywordsOf(namespace)).toEqual({ DataCategory: undefined, CurrentStep: undefined, ReviewState: undefined });

    expect(await ensureSearchAttributes(connections.nativeConnection, namespace)).toEqual(NAMES);
    expect(await keywordsOf(namespace)).toEqual({ DataCategory: KEYWORD, CurrentStep: KEYWORD, ReviewState: KEYWORD });
    expect(await ensureSearchAttributes(connections.nativeConnection, namespace)).toEqual([]);
  });

  test("the suite's namespace: registered after one call (whoever came first), and a client Connection does it too", async () => {
    const namespace = connections.namespace;
    const first = await ensureSearchAttributes(connections.client.connection as Connection, namespace);
    expect(NAMES).toEqual(expect.arrayContaining(first));
    expect(await keywordsOf(namespace)).toEqual({ DataCategory: KEYWORD, CurrentStep: KEYWORD, ReviewState: KEYWORD });
    expect(await ensureSearchAttributes(connections.client.connection as Connection, namespace)).toEqual([]);
  });
});
