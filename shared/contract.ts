// What both services and the workflow API share on the wire, as zod schemas (each name is the schema and
// its type). Imports only zod, so workflow code may import it.
import { z } from 'zod';

export const ServiceName = z.enum(['server-a', 'server-b']);
export type ServiceName = z.infer<typeof ServiceName>;
/** Every process serving HTTP on shared/service/create-app.ts: the two services and the workflow API. */
export const HttpServiceName = z.enum([...ServiceName.options, 'api']);
export type HttpServiceName = z.infer<typeof HttpServiceName>;

export const ErrorCode = z.enum([
  ...['INVALID_JSON', 'INVALID_BODY', 'MISSING_FIELD', 'INVALID_FIELD', 'PAYLOAD_TOO_LARGE', 'NOT_FOUND', 'METHOD_NOT_ALLOWED'],
  ...['UPSTREAM_UNAVAILABLE', 'RATE_LIMITED', 'MISSING_IDEMPOTENCY_KEY', 'IDEMPOTENCY_KEY_REUSED', 'REQUEST_IN_PROGRESS'],
  ...['INVALID_TRANSITION', 'RULE_VIOLATION', 'SIMULATED_FAULT', 'SATURATED', 'SHUTTING_DOWN', 'UNAUTHORIZED', 'INTERNAL'],
  // the workflow API (api/)
  ...['KEY_IN_USE', 'KEY_ALREADY_USED', 'RUN_CLOSED', 'DECISION_REFUSED', 'FORBIDDEN'],
] as const);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Every JSON error answer; `field` names the request field at fault, if any. */
export const ErrorBody = z.object({ error: z.object({ code: ErrorCode, message: z.string(), field: z.string().optional() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const PingResponse = z.object({ service: HttpServiceName, status: z.literal('ok'), version: z.string(), uptimeSeconds: z.number() });
export type PingResponse = z.infer<typeof PingResponse>;

export const LatencySummary = z.object({ p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() });
export type LatencySummary = z.infer<typeof LatencySummary>;
export const EndpointStats = z.object({
  requests: z.number(),
  errors: z.number().meta({ description: 'Answers with a 4xx or 5xx status.' }),
  aborted: z.number().meta({ description: 'Requests whose client went away before the answer was sent.' }),
  inFlight: z.number().meta({ description: 'Requests received and not yet answered right now.' }),
  latencyMs: LatencySummary,
});
export type EndpointStats = z.infer<typeof EndpointStats>;
export const StatusResponse = z.object({
  service: HttpServiceName,
  version: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  memory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number() }),
  endpoints: z.record(z.string(), EndpointStats).meta({ description: 'Keyed by "METHOD /path"; unknown routes and methods share one key each.' }),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

/** Sent with every mutating request; the same key with the same body gets the first answer again. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer that was stored for an earlier request with the same key and body. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replayed';
/** Headers the activities send so a service log line can be matched to a workflow step. */
export const CORRELATION_HEADERS = {
  requestId: 'x-request-id',
  workflowId: 'x-workflow-id',
  runId: 'x-run-id',
  activityId: 'x-activity-id',
  attempt: 'x-activity-attempt',
} as const;

/** A caller's value in a message: never more than a few dozen characters of it (any client may send anything). */
export const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};
/** A field's rule as a person reads it, followed by the value given: "must be a number from 0 to 1, got 1.5". */
export const rule = (text: string) => ({ error: (issue: { input?: unknown }) => `${text}, got ${shown(issue.input)}` });
/** A number (`whole`: an integer) from `min` to `max`, refused in the words of its rule. */
export const numberFrom = (min: number, max: number, whole = false) => {
  const message = rule(`must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}`);
  return (whole ? z.int(message) : z.number(message)).min(min, message).max(max, message);
};
export const wholeNumber = (min: number, max: number) => numberFrom(min, max, true);
const ONCE = { error: 'must be given once, as a non-empty string' };
/** A query parameter: given once, as a non-empty string (pipe it into an enum to restrict it further). */
export const queryParam = () => z.string(ONCE).min(1, ONCE);

const typeName = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const ARTICLE: Record<string, string> = { object: 'an object', record: 'an object', array: 'an array', int: 'a whole number' };

/** Pass as `schema.safeParse(value, { error: explain })`: each issue's message reads after the field's name. */
export const explain: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${ARTICLE[issue.expected] ?? `a ${issue.expected}`}, got ${typeName(issue.input)}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.join(', ')}, got ${shown(issue.input)}`;
  return undefined;
};

/** A path as a field's name: dotted, array items as [i] ("items[2].data"); the root is the empty field. */
export const fieldOf = (path: readonly PropertyKey[]) =>
  path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');

/** Each issue as its field (fieldOf) and message. */
export const issuesOf = (error: z.ZodError) =>
  // A strict object's unknown keys come as one issue at the object: each is named as its own field.
  error.issues
    .flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'is unknown' })) : [issue]))
    .map((issue) => ({ field: fieldOf(issue.path), message: issue.message }));
