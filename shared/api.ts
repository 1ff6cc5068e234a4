// The HTTP contract of Server A and Server B, defined once: the services implement these shapes and
// the Temporal activities call them with the same types. Types and header names only (no imports, no
// behaviour), so workflow code may import it.

export type ServiceName = 'server-a' | 'server-b';
/** Every process that serves HTTP on the shared plumbing (shared/service/create-app.ts): the two services and the workflow API (api/). */
export type HttpServiceName = ServiceName | 'api';

/** Every JSON error answer of both services and of the workflow API. `field` names the request field at fault, if any. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export type ErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_BODY'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'MISSING_IDEMPOTENCY_KEY'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'REQUEST_IN_PROGRESS'
  | 'INVALID_TRANSITION'
  | 'RULE_VIOLATION'
  | 'SIMULATED_FAULT'
  | 'SATURATED'
  | 'SHUTTING_DOWN'
  | 'UNAUTHORIZED'
  | 'INTERNAL'
  // ---- the workflow API (api/) ----
  | 'KEY_IN_USE'
  | 'KEY_ALREADY_USED'
  | 'RUN_CLOSED'
  | 'DECISION_REFUSED';

/** Free-form context a caller may attach to its data; echoed, never interpreted. */
export type Metadata = Record<string, unknown>;

// ---- both services ----

export interface PingResponse {
  service: HttpServiceName;
  status: 'ok';
  version: string;
  uptimeSeconds: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface EndpointStats {
  requests: number;
  /** Answers with a 4xx or 5xx status. */
  errors: number;
  /** Requests whose client went away before the answer was sent. */
  aborted: number;
  /** Requests received and not yet answered (or abandoned) right now. */
  inFlight: number;
  latencyMs: LatencySummary;
}

export interface StatusResponse {
  service: HttpServiceName;
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  /** Keyed by "METHOD /path"; requests to unknown routes are counted under "unmatched". */
  endpoints: Record<string, EndpointStats>;
  settings: Record<string, string | number | boolean>;
}

// ---- Server A ----

export interface ValidateRequest {
  data: string;
  metadata?: Metadata;
}

export type ValidationCode = 'EMPTY' | 'TOO_LONG' | 'INVALID_CHARACTERS' | 'NOT_AN_OBJECT' | 'TOO_MANY_KEYS';

export interface ValidationIssue {
  field: 'data' | 'metadata';
  code: ValidationCode;
  message: string;
}

export interface ValidateResponse {
  valid: boolean;
  errors: ValidationIssue[];
}

export interface ProcessInternalRequest {
  data: string;
  metadata?: Metadata;
}

export interface ProcessInternalResponse {
  /** Trimmed, inner whitespace collapsed to one space, lower-cased. */
  normalized: string;
  wordCount: number;
  characterCount: number;
  /** SHA-256 of `normalized`, hex. */
  contentHash: string;
  metadata: Metadata;
  processedBy: 'server-a';
  processedAt: string;
}

// ---- Server B ----

export interface ProcessExternalRequest {
  data: string;
  /** Content hash from Server A, echoed back so the two results can be matched. */
  contentHash?: string;
}

export interface ProcessExternalResponse {
  /** Derived from the data alone, so a retried call yields the same reference (idempotent). */
  reference: string;
  /** Distinct lower-case words, alphabetical, at most 20. */
  uniqueWords: string[];
  uniqueWordCount: number;
  contentHash: string | null;
  processedBy: 'server-b';
  processedAt: string;
}

export type Category = 'greeting' | 'commerce' | 'incident' | 'question' | 'general';

export interface EnrichRequest {
  data: string;
  reference?: string;
}

export interface EnrichResponse {
  category: Category;
  /** 0 to 100: half lexical diversity, half length (saturating at 20 words). */
  score: number;
  /** Up to 5 words of 4+ letters, most frequent first, ties alphabetical. */
  keywords: string[];
  reference: string | null;
  enrichedBy: 'server-b';
  enrichedAt: string;
}

export interface ThirdPartyRequest {
  query: string;
  /** Overrides THIRD_PARTY_LATENCY_MS for this call. */
  latencyMs?: number;
  /** Overrides THIRD_PARTY_FAILURE_RATE for this call: 0 never fails, 1 always fails. */
  failureRate?: number;
  /** Which failure to simulate. */
  failureStatus?: 429 | 503;
  /** Seconds sent in the Retry-After header of a simulated failure. */
  retryAfterSeconds?: number;
}

export interface ThirdPartyResponse {
  provider: 'simulated-third-party';
  query: string;
  /** Deterministic answer: the query's characters reversed and its length. */
  answer: { reversed: string; length: number };
  latencyMs: number;
  answeredAt: string;
}

// ---- durable resources (Server A: records, Server B: publications) ----

/** Sent with every mutating request; the same key with the same body gets the first answer again. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer that was stored for an earlier request with the same key and body. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replayed';

export type RecordStatus = 'reserved' | 'committed' | 'released';

/** Server A's record of processed data, reserved by a saga and later committed or released. */
export interface DataRecord {
  id: string;
  status: RecordStatus;
  contentHash: string;
  /** The Idempotency-Key of the request that created it, so a saga can find it again. */
  createdByKey: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReserveRecordRequest {
  data: string;
}

export type PublicationStatus = 'pending' | 'published' | 'withdrawn';

/** Server B's publication of a record's content. */
export interface Publication {
  id: string;
  recordId: string;
  status: PublicationStatus;
  content: string;
  createdByKey: string;
  createdAt: string;
  updatedAt: string;
}

export interface SubmitPublicationRequest {
  recordId: string;
  content: string;
}

export interface ListResponse<T> {
  items: T[];
}

/** Correlation headers the activities send so a service log line can be matched to a workflow step. */
export const CORRELATION_HEADERS = {
  requestId: 'x-request-id',
  workflowId: 'x-workflow-id',
  runId: 'x-run-id',
  activityId: 'x-activity-id',
  attempt: 'x-activity-attempt',
} as const;
