// Server A: local data processing (validation and internal processing) and the records a saga
// reserves, commits or releases, kept in its own SQLite database.
import type { ProcessInternalResponse, ValidateResponse } from '../shared/api.ts';
import type { Logger } from '../shared/logger.ts';
import { BODY_LIMIT_BYTES, createServiceApp } from '../shared/service/create-app.ts';
import { bodyObject, optionalMetadata, requireString } from '../shared/service/http-error.ts';
import { IdempotencyStore } from '../shared/service/idempotency.ts';
import type { FaultPlan } from '../shared/service/faults.ts';
import { openDatabase } from '../shared/service/sqlite.ts';
import { VERSION } from '../shared/version.ts';
import { processInternal } from './process-internal.ts';
import { recordRoutes } from './records.ts';
import { RecordStore } from './store.ts';
import { MAX_DATA_LENGTH, MAX_METADATA_KEYS, validateInput } from './validate.ts';

export interface ServerAOptions {
  /** SQLite file of the records; ':memory:' (the default) lives as long as the process. */
  database?: string;
  faults?: FaultPlan;
  /** Shared secret callers must present (see create-app.ts); none when absent. */
  token?: string | undefined;
}

export function createServerAApp(logger: Logger, options: ServerAOptions = {}) {
  const db = openDatabase(options.database ?? ':memory:');
  const records = new RecordStore(db);
  return createServiceApp({
    service: 'server-a',
    version: VERSION,
    logger,
    idempotency: new IdempotencyStore(db),
    token: options.token,
    ...(options.faults && { faults: options.faults }),
    settings: () => ({ maxDataLength: MAX_DATA_LENGTH, maxMetadataKeys: MAX_METADATA_KEYS, bodyLimitBytes: BODY_LIMIT_BYTES }),
    routes: [
      {
        method: 'POST',
        path: '/validate',
        handle: (raw): ValidateResponse => {
          const body = bodyObject(raw);
          // A missing or non-string `data` is a malformed request (400); everything else is a verdict.
          return validateInput(requireString(body, 'data'), body.metadata);
        },
      },
      {
        method: 'POST',
        path: '/process-internal',
        handle: (raw): ProcessInternalResponse => {
          const body = bodyObject(raw);
          return processInternal(requireString(body, 'data'), optionalMetadata(body));
        },
      },
      ...recordRoutes(records),
    ],
  });
}
