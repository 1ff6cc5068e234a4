// The workflow API's requests as zod schemas (each name is the schema and its type): the routes check with
// them, openapi.ts documents them. What the API answers is temporal/runs/contract.ts.
import { z } from 'zod';
import { PingResponse, queryParam, rule, StatusResponse, wholeNumber } from '../shared/contract.ts';
import { RunKind } from '../temporal/runs/contract.ts';
import { LIST_LIMIT } from '../temporal/runs/list-filters.ts';
import { EXECUTION_STATUSES, executionStatus } from '../temporal/runs/visibility.ts';
import { ReviewDecision, ReviewStatus } from '../temporal/workflows/review.ts';
import { Role } from './auth/identities.ts';

// Safe in a URL path, a visibility query and a log line; 200 leaves room for the ids a batch derives from its key.
export const Key = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, rule('must be 1 to 200 letters, digits, ".", "_", ":" or "-", starting with a letter or digit'))
  .meta({
    id: 'Key',
    description: "The caller's business key, which is the run's workflow id: letters, digits and . _ : -, starting with a letter or digit, 1 to 200.",
    examples: ['order-1042'],
  });

export const KeyParams = z.object({ key: Key });
export const StartParams = z.object({ kind: RunKind, key: Key });
/** Any JSON object here; the kind's own input check comes next (temporal/run-kinds.ts). */
export const StartBody = z.record(z.string(), z.unknown());

/** An optional filter; `examples` lists its values where they are few (the console offers them as choices). */
const filter = (description: string, examples?: readonly string[]) =>
  queryParam()
    .optional()
    .meta({ description, ...(examples && { examples: [...examples] }) });

/** The review states a run can be listed by: those it can have once it asked for a review. */
const REVIEW_STATES = ReviewStatus.shape.state.options.filter((state) => state !== 'not-needed' && state !== 'not-yet');

// Strict: a misspelt filter (?stauts=) would otherwise list every run, as if it had matched.
export const ListQuery = z.strictObject({
  kind: RunKind.optional(),
  status: filter(`${EXECUTION_STATUSES.join(', ')} (any case).`, EXECUTION_STATUSES).refine(
    (s) => s === undefined || executionStatus(s) !== undefined,
    rule(`must be one of ${EXECUTION_STATUSES.join(', ')}`),
  ),
  keyPrefix: filter('Runs whose key starts with this, such as order-.'),
  review: filter('The ReviewState of publish runs.', REVIEW_STATES),
  category: filter("The DataCategory Server B's enrichment gave the data."),
  step: filter('Where runs stopped (CurrentStep): the step a run failed or was cancelled at, or review while it waits for a person.'),
  limit: z
    .string()
    .regex(/^\d+$/, rule(`must be a whole number from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}`))
    .transform(Number)
    .pipe(wholeNumber(LIST_LIMIT.min, LIST_LIMIT.max))
    .optional()
    // Documented as the number it is read as, not as the digits it arrives as.
    .meta({
      override: ({ jsonSchema }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, { type: 'integer', minimum: LIST_LIMIT.min, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default });
      },
    }),
});

/** The body of POST /workflows/{key}/approve and /reject: the decision as the saga checks it, the route naming which, the caller the reviewer. */
export const DecisionRequest = ReviewDecision.omit({ decision: true })
  .partial({ reviewer: true })
  .meta({ id: 'DecisionRequest', description: 'The reviewer recorded is the signed-in identity; `reviewer`, when given, must be that name.' });

export const SignInRequest = z.strictObject({ token: z.string().min(1).max(200) }).meta({ id: 'SignInRequest' });

export const Session = z
  .object({
    name: z.string(),
    roles: z.array(Role),
    webUi: z.string().nullable().meta({ description: "The Temporal Web UI's base URL, where each run has a page; null when unknown." }),
    namespace: z.string(),
  })
  .meta({ id: 'Session', description: 'Who is signed in, and where the console links runs.' });
export type Session = z.infer<typeof Session>;

export const ApiPing = PingResponse.extend({ service: z.literal('api') }).meta({ id: 'PingResponse' });

export const ApiSettings = z.object({
  temporal: z.enum(['connected', 'connecting']).meta({ description: 'connecting: Temporal has not answered yet, and every route that needs it answers 503.' }),
  namespace: z.string(),
  taskQueue: z.string().meta({ description: 'The task queue new runs are started on.' }),
  openEventStreams: z.int().min(0),
});
export type ApiSettings = z.infer<typeof ApiSettings>;

export const ApiStatus = StatusResponse.extend({ service: z.literal('api'), settings: ApiSettings }).meta({ id: 'StatusResponse' });
