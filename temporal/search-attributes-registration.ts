// Registers the project's search attributes (workflows/search-attributes.ts) on a namespace, so the
// workflows can upsert them and `client.ts list` and the Web UI can filter on them. Done at start-up
// (worker, test setup) and not by the dev server's `--search-attribute` flag, because that flag only
// applies when the server creates its database: a dev server restarted on an existing
// .temporal/dev-server.db, or any other server, would never get them. Idempotent: only the missing
// ones are added; one that exists with another type is an error naming it, since upserts would fail.
import { type Connection, isGrpcServiceError } from '@temporalio/client';
import protos from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from './workflows/search-attributes.ts';

const { IndexedValueType } = protos.temporal.api.enums.v1;
/** gRPC's status code ALREADY_EXISTS (@grpc/grpc-js is not a direct dependency of this project). */
const ALREADY_EXISTS = 6;

/** The server's enum value for a key's type: KEYWORD → INDEXED_VALUE_TYPE_KEYWORD. */
function indexedType(type: (typeof SEARCH_ATTRIBUTE_KEYS)[number]['type']): protos.temporal.api.enums.v1.IndexedValueType {
  return IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];
}

function typeName(value: protos.temporal.api.enums.v1.IndexedValueType): string {
  return (IndexedValueType[value] ?? String(value)).replace(/^INDEXED_VALUE_TYPE_/, '');
}

/**
 * Adds the SEARCH_ATTRIBUTE_KEYS that `namespace` lacks and returns their names (empty when all were
 * there). Takes a client Connection or a worker's NativeConnection: both carry the operator service.
 */
export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, protos.temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of SEARCH_ATTRIBUTE_KEYS) {
    const wanted = indexedType(key.type);
    const existing = customAttributes?.[key.name];
    if (existing === undefined) missing[key.name] = wanted;
    else if (existing !== wanted) {
      throw new Error(
        `Search attribute ${key.name} is registered on namespace "${namespace}" as ${typeName(existing)}, but this project needs ${key.type}: ` +
          `remove it (temporal operator search-attribute remove --name ${key.name}) or use another namespace`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (error) {
    // Another process (a second worker starting at the same moment) registered them first: that is the goal.
    if (!isGrpcServiceError(error) || error.code !== ALREADY_EXISTS) throw error;
  }
  return names;
}
