// Registers the project's search attributes (workflows/search-attributes.ts) on a namespace, so the
// workflows can upsert them and `client.ts list` and the Web UI can filter on them. Done at start-up
// (worker, test setup), not by the dev server's `--search-attribute` flag: that only applies when the
// server creates its database, so a restarted dev server or any other server would never get them.
import { status } from '@grpc/grpc-js';
import { type Connection, isGrpcServiceError } from '@temporalio/client';
import protos from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from './workflows/search-attributes.ts';

const { IndexedValueType } = protos.temporal.api.enums.v1;

/** The namespace would not even list its search attributes (some servers keep the operator service for
 *  administrators): nothing can be checked. */
export class CannotListSearchAttributes extends Error {}

/** Adds the SEARCH_ATTRIBUTE_KEYS that `namespace` lacks and returns their names (empty when all were
 *  there). One registered with another type, or missing ones the server refuses to add, is an error naming
 *  the fix, since every upsert would fail. Takes a client Connection or a worker's NativeConnection: both
 *  carry the operator service. */
export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }).catch((error: unknown) => {
    throw new CannotListSearchAttributes(isGrpcServiceError(error) ? error.details : String(error), { cause: error });
  });
  const missing: Record<string, protos.temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of SEARCH_ATTRIBUTE_KEYS) {
    const wanted = IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`];
    const existing = customAttributes?.[key.name];
    if (existing === undefined) missing[key.name] = wanted;
    else if (existing !== wanted) {
      const registered = (IndexedValueType[existing] ?? String(existing)).replace(/^INDEXED_VALUE_TYPE_/, '');
      throw new Error(
        `Search attribute ${key.name} is registered on namespace "${namespace}" as ${registered}, but this project needs ${key.type}: ` +
          `remove it (temporal operator search-attribute remove --namespace ${namespace} --name ${key.name}) or use another namespace`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (error) {
    // Another process (a second worker starting at the same moment) registered them first: that is the goal.
    if (isGrpcServiceError(error) && error.code === status.ALREADY_EXISTS) return names;
    // No operator rights (Temporal Cloud, a locked-down namespace), or the server's limit: every upsert would fail.
    const reason = isGrpcServiceError(error) ? error.details : error instanceof Error ? error.message : String(error);
    const create = names.map((name) => `--name ${name} --type ${SEARCH_ATTRIBUTE_KEYS.find((k) => k.name === name)!.type}`).join(' ');
    throw new Error(
      `Namespace "${namespace}" lacks the search attributes ${names.join(', ')} that the workflows set, and registering them was refused ` +
        `(${reason.split('\n')[0]}). Register them once with operator rights: temporal operator search-attribute create --namespace ${namespace} ${create}`,
      { cause: error },
    );
  }
  return names;
}
