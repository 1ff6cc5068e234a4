// Server A: local data processing (validation and internal processing).
import type { ProcessInternalResponse, ValidateResponse } from '../shared/api.ts';
import type { Logger } from '../shared/logger.ts';
import { BODY_LIMIT_BYTES, createServiceApp } from '../shared/service/create-app.ts';
import { bodyObject, optionalMetadata, requireString } from '../shared/service/http-error.ts';
import { VERSION } from '../shared/version.ts';
import { processInternal } from './process-internal.ts';
import { MAX_DATA_LENGTH, MAX_METADATA_KEYS, validateInput } from './validate.ts';

export function createServerAApp(logger: Logger) {
  return createServiceApp({
    service: 'server-a',
    version: VERSION,
    logger,
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
    ],
  });
}
