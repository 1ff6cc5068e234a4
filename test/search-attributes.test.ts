// Registering the project's search attributes (temporal/search-attributes-registration.ts), and the worker refusing a
// namespace without them: against a stand-in operator service for the race, the type clash and a refusal, and
// against the suite's real server, on namespaces of the test's own and on the suite's namespace.
import type { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { nanoid } from 'nanoid';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CannotListSearchAttributes, ensureSearchAttributes } from '../temporal/search-attributes-registration.ts';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/workflows/search-attributes.ts';
import { killLeftovers, runNode } from './support/processes.ts';
import { connectToTemporal, TEMPORAL_TAG, temporal, temporalEnv, type TemporalConnections, uniqueTaskQueue } from './support/temporal.ts';

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

  test('another process registering them first (ALREADY_EXISTS) is success; any other refusal is an error naming the command that fixes it', async () => {
    const raced = stubOperator({}, grpcError(6, 'search attribute DataCategory already exists'));
    expect(await ensureSearchAttributes(raced.connection, 'ns')).toEqual(NAMES);
    const denied = stubOperator({ DataCategory: KEYWORD }, grpcError(7, 'permission denied'));
    await expect(ensureSearchAttributes(denied.connection, 'ns')).rejects.toThrow(
      'Namespace "ns" lacks the search attributes CurrentStep, ReviewState that the workflows set, and registering them was refused (permission denied). ' +
        'Register them once with operator rights: temporal operator search-attribute create --namespace ns --name CurrentStep --type KEYWORD --name ReviewState --type KEYWORD',
    );
  });

  test('a namespace that will not list them is a CannotListSearchAttributes (the worker warns and runs: nothing to check)', async () => {
    const connection = { operatorService: { listSearchAttributes: async () => Promise.reject(grpcError(7, 'operator API is for admins')) } };
    await expect(ensureSearchAttributes(connection as unknown as Pick<Connection, 'operatorService'>, 'ns')).rejects.toEqual(
      new CannotListSearchAttributes('operator API is for admins'),
    );
  });

  test('a key registered with another type is an error naming the key, both types and the way out', async () => {
    const { connection, added } = stubOperator({ CurrentStep: IndexedValueType.INDEXED_VALUE_TYPE_TEXT });
    await expect(ensureSearchAttributes(connection, 'orders')).rejects.toThrow(
      'Search attribute CurrentStep is registered on namespace "orders" as TEXT, but this project needs KEYWORD: remove it (temporal operator search-attribute remove --namespace orders --name CurrentStep) or use another namespace',
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
  // A worker that wrongly starts would poll until the test's timeout: stop it then.
  afterEach(killLeftovers);

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

  /** A namespace of the test's own, holding `attributes` (name → type) already. */
  async function namespaceWith(attributes: Record<string, number>): Promise<string> {
    const namespace = `test-attributes-${nanoid(8)}`;
    await connections.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: protos.google.protobuf.Duration.fromObject({ seconds: 86_400 }),
    });
    if (Object.keys(attributes).length > 0) await connections.nativeConnection.operatorService.addSearchAttributes({ namespace, searchAttributes: attributes });
    return namespace;
  }

  test('a worker refuses to start on a namespace that lacks them and will not take them, naming the command that fixes it', { timeout: 60_000 }, async () => {
    // The server's own limit (10 Keyword attributes per namespace here) refuses the registration, as missing rights would.
    const namespace = await namespaceWith(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Filler${i}`, KEYWORD])));
    const run = await runNode('temporal/worker.ts', [], { ...temporalEnv(uniqueTaskQueue('refused')), TEMPORAL_NAMESPACE: namespace, LOG_LEVEL: 'info' });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`Namespace \\"${namespace}\\" lacks the search attributes DataCategory, CurrentStep, ReviewState that the workflows set`);
    expect(run.stdout).toContain(
      `temporal operator search-attribute create --namespace ${namespace} --name DataCategory --type KEYWORD --name CurrentStep --type KEYWORD --name ReviewState --type KEYWORD`,
    );
    expect(run.stdout).not.toContain('worker polling');
  });

  test('a worker refuses to start on a namespace where one has another type, naming it', { timeout: 60_000 }, async () => {
    const namespace = await namespaceWith({ CurrentStep: IndexedValueType.INDEXED_VALUE_TYPE_TEXT });
    const run = await runNode('temporal/worker.ts', [], { ...temporalEnv(uniqueTaskQueue('clash')), TEMPORAL_NAMESPACE: namespace, LOG_LEVEL: 'info' });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`Search attribute CurrentStep is registered on namespace \\"${namespace}\\" as TEXT, but this project needs KEYWORD`);
    expect(run.stdout).not.toContain('worker polling');
  });

  test("the suite's namespace: registered after one call (whoever came first), and a client Connection does it too", async () => {
    const namespace = connections.namespace;
    const first = await ensureSearchAttributes(connections.client.connection as Connection, namespace);
    expect(NAMES).toEqual(expect.arrayContaining(first));
    expect(await keywordsOf(namespace)).toEqual({ DataCategory: KEYWORD, CurrentStep: KEYWORD, ReviewState: KEYWORD });
    expect(await ensureSearchAttributes(connections.client.connection as Connection, namespace)).toEqual([]);
  });
});
