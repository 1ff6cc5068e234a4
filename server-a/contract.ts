// Server A's HTTP contract, as zod schemas: each name is the schema and its inferred type. The service
// checks requests with them, the activities check answers with them. Imports only zod and the shared
// contract, so workflow code may import it.
import { z } from 'zod';
import { queryParam } from '../shared/contract.ts';

export const MAX_DATA_LENGTH = 1000;
export const MAX_METADATA_KEYS = 20;

export const Metadata = z.record(z.string(), z.unknown()).meta({ description: 'Free-form context; echoed, never interpreted.' });
export type Metadata = z.infer<typeof Metadata>;

export const ValidateRequest = z.object({
  data: z.string(),
  // Checked by the rules (an array or too many keys is a verdict, not a 400), so any value passes here.
  metadata: z
    .unknown()
    .optional()
    .meta({ description: `A JSON object of at most ${MAX_METADATA_KEYS} keys, or absent.` }),
});
export type ValidateRequest = z.infer<typeof ValidateRequest>;

export const ValidationCode = z.enum(['EMPTY', 'TOO_LONG', 'INVALID_CHARACTERS', 'NOT_AN_OBJECT', 'TOO_MANY_KEYS']);
export const ValidationIssue = z.object({ field: z.enum(['data', 'metadata']), code: ValidationCode, message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssue>;
export const ValidateResponse = z.object({ valid: z.boolean(), errors: z.array(ValidationIssue) });
export type ValidateResponse = z.infer<typeof ValidateResponse>;

export const ProcessInternalRequest = z.object({ data: z.string(), metadata: Metadata.optional() });
export type ProcessInternalRequest = z.infer<typeof ProcessInternalRequest>;
export const ProcessInternalResponse = z.object({
  normalized: z.string().meta({ description: 'Trimmed, inner whitespace collapsed to one space, lower-cased.' }),
  wordCount: z.number(),
  characterCount: z.number(),
  contentHash: z.string().meta({ description: 'SHA-256 of `normalized`, hex.' }),
  metadata: Metadata,
  processedBy: z.literal('server-a'),
  processedAt: z.string(),
});
export type ProcessInternalResponse = z.infer<typeof ProcessInternalResponse>;

export const RecordStatus = z.enum(['reserved', 'committed', 'released']);
export type RecordStatus = z.infer<typeof RecordStatus>;
/** Server A's record of processed data, reserved by a saga and later committed or released. */
export const DataRecord = z.object({
  id: z.string(),
  status: RecordStatus,
  contentHash: z.string(),
  createdByKey: z.string().meta({ description: 'The Idempotency-Key of the request that created it.' }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DataRecord = z.infer<typeof DataRecord>;
export const ReserveRecordRequest = z.object({ data: z.string() });
export type ReserveRecordRequest = z.infer<typeof ReserveRecordRequest>;
export const RecordQuery = z.object({ status: queryParam().pipe(RecordStatus).optional(), createdByKey: queryParam().optional() });
export type RecordQuery = z.infer<typeof RecordQuery>;
export const RecordList = z.object({ items: z.array(DataRecord) });
export type RecordList = z.infer<typeof RecordList>;
