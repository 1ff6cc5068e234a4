// What a successful answer of each endpoint must look like before an activity hands it to a workflow.
// A 2xx that is not this shape (a proxy's HTML page, a different service on that port) is reported as a
// non-retryable BadResponse here, instead of surfacing as a TypeError deep inside workflow code.
// Each shape lists every field of its response type in shared/api.ts: the compiler keeps them in step.
import type {
  DataRecord,
  EnrichResponse,
  ListResponse,
  Publication,
  PingResponse,
  ProcessExternalResponse,
  ProcessInternalResponse,
  ThirdPartyResponse,
  ValidateResponse,
} from '../../shared/api.ts';

export type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'string|null';
export type Shape<T> = { [K in keyof T]-?: Kind };

export const PING_SHAPE = { service: 'string', status: 'string', version: 'string', uptimeSeconds: 'number' } satisfies Shape<PingResponse>;
export const VALIDATE_SHAPE = { valid: 'boolean', errors: 'array' } satisfies Shape<ValidateResponse>;
export const PROCESS_INTERNAL_SHAPE = {
  normalized: 'string',
  wordCount: 'number',
  characterCount: 'number',
  contentHash: 'string',
  metadata: 'object',
  processedBy: 'string',
  processedAt: 'string',
} satisfies Shape<ProcessInternalResponse>;
export const PROCESS_EXTERNAL_SHAPE = {
  reference: 'string',
  uniqueWords: 'array',
  uniqueWordCount: 'number',
  contentHash: 'string|null',
  processedBy: 'string',
  processedAt: 'string',
} satisfies Shape<ProcessExternalResponse>;
export const ENRICH_SHAPE = {
  category: 'string',
  score: 'number',
  keywords: 'array',
  reference: 'string|null',
  enrichedBy: 'string',
  enrichedAt: 'string',
} satisfies Shape<EnrichResponse>;
export const THIRD_PARTY_SHAPE = {
  provider: 'string',
  query: 'string',
  answer: 'object',
  latencyMs: 'number',
  answeredAt: 'string',
} satisfies Shape<ThirdPartyResponse>;

export const RECORD_SHAPE = {
  id: 'string',
  status: 'string',
  contentHash: 'string',
  createdByKey: 'string',
  createdAt: 'string',
  updatedAt: 'string',
} satisfies Shape<DataRecord>;
export const PUBLICATION_SHAPE = {
  id: 'string',
  recordId: 'string',
  status: 'string',
  content: 'string',
  createdByKey: 'string',
  createdAt: 'string',
  updatedAt: 'string',
} satisfies Shape<Publication>;
export const LIST_SHAPE = { items: 'array' } satisfies Shape<ListResponse<unknown>>;

/** Why `body` is not of `shape`, or undefined when it is. */
export function shapeProblem(body: unknown, shape: Readonly<Record<string, Kind>>): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `the body is not a JSON object`;
  const record = body as Record<string, unknown>;
  for (const [field, kind] of Object.entries(shape)) {
    const value = record[field];
    if (!matches(value, kind)) return `field "${field}" should be ${kind.replace('|', ' or ')}, got ${describe(value)}`;
  }
  return undefined;
}

function matches(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string|null':
      return value === null || typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === kind;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
