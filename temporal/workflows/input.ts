// The workflows' boundary. Any client may start a run (the CLI, the API, `temporal workflow start`, the Web UI),
// so each workflow checks its input before any step: a bad one fails the run at once with one non-retryable
// InvalidWorkflowInput listing every problem by field. inputIssues answers a starter in the same words.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { explain, fieldOf, rule, shown } from '../../shared/contract.ts';
import { FailureType } from '../failure-types.ts';

export type InputIssue = { field: string; message: string };

export const OUTAGE_LIMIT = { defaultMs: 120_000, minMs: 1_000, maxMs: 3_600_000 } as const;
/** Each of the publish saga's two review waits (escalation, then expiry). */
export const REVIEW_DEADLINE = { defaultMs: 300_000, minMs: 1_000, maxMs: 86_400_000 } as const;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "500ms", "30s", "1.5m", "2h", or a number of milliseconds; undefined when it is none of those. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  return match ? Number(match[1]) * UNITS[match[2]!]! : undefined;
}

const within = (bounds: { minMs: number; maxMs: number }) => (value: unknown) => {
  const ms = parseDuration(value);
  return ms !== undefined && ms >= bounds.minMs && ms <= bounds.maxMs;
};
/** Whether `value` is an outage limit the workflows accept (the CLI checks its option with this too). */
export const isOutageLimit = within(OUTAGE_LIMIT);
/** Whether `value` is a review deadline the publish saga accepts. */
export const isReviewDeadline = within(REVIEW_DEADLINE);

/** A duration in a client's words: "30s", "2m", "1h" or milliseconds, within bounds. */
export function duration(accepts: (value: unknown) => boolean, words: string, description: string) {
  return z
    .union([z.string(), z.number()], rule(words))
    .refine(accepts, rule(words))
    .meta({ description, examples: ['30s'] });
}

/** What every workflow takes; each workflow's schema extends it. */
export const WorkflowInput = z.strictObject({
  data: z.string().meta({ description: 'The text to process.' }),
  metadata: z.record(z.string(), z.unknown()).optional().meta({ description: 'Free-form context echoed by Server A, never interpreted.' }),
  outageLimit: duration(
    isOutageLimit,
    'must be a duration from 1s to 1h such as "30s" or "2m"',
    'How long a service may be down at any step before the run fails with ServiceUnavailable (default 2m).',
  ).optional(),
});
export type WorkflowInput = z.infer<typeof WorkflowInput>;

/** A run's outage limit in ms; the default when its input has none (or a bad one, which fails the run anyway). */
export function outageLimitOf(raw: unknown): number {
  const limit = isObject(raw) ? raw.outageLimit : undefined;
  return isOutageLimit(limit) ? parseDuration(limit)! : OUTAGE_LIMIT.defaultMs;
}

/** Every problem with `raw` as `workflow`'s input, each naming its field; empty when it is valid. `subject`: what
 *  `raw` is, in a message about its shape ("the decision"). */
export function inputIssues(schema: z.ZodObject, raw: unknown, workflow: string, example = '{"data": "hello"}', subject = 'the input'): InputIssue[] {
  if (!isObject(raw)) return [{ field: '(input)', message: `${subject} must be a JSON object such as ${example}, got ${describe(raw)}` }];
  const result = schema.safeParse(raw, { error: explain });
  if (result.success) return [];
  return result.error.issues.flatMap((issue): InputIssue[] => {
    const field = fieldOf(issue.path);
    // An issue a schema raised in its own words (a batch's item, say) is passed on as it is.
    if (issue.code === 'custom' && issue.params?.verbatim) return [{ field, message: issue.message }];
    if (issue.code === 'unrecognized_keys') {
      // One problem for all of them, the first few named: a client cannot flood the message with made-up keys.
      const takes = issue.path.length === 0 ? `; ${workflow} takes ${Object.keys(schema.shape).join(', ')}` : '';
      const names = issue.keys.slice(0, 3).map((key) => shown(fieldOf([...issue.path, key])));
      const more = issue.keys.length > 3 ? ', …' : '';
      const message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${names.join(', ')}${more}${takes}`;
      return [{ field: fieldOf([...issue.path, issue.keys[0]!]), message }];
    }
    return [{ field, message: `"${field}" ${issue.message}` }];
  });
}

/** The input, checked by `schema`; throws the InvalidWorkflowInput that ends the run. */
export function parseInput<S extends z.ZodObject>(schema: S, raw: unknown, workflow: string, example?: string): z.infer<S> {
  const issues = inputIssues(schema, raw, workflow, example);
  if (issues.length === 0) return schema.parse(raw);
  throw invalidInput(workflow, issues);
}

export function invalidInput(workflow: string, issues: InputIssue[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.invalidInput,
    message: `Invalid input for ${workflow}: ${issues.map((i) => i.message).join('; ')}`,
    nonRetryable: true,
    details: [issues],
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A caller's value in a message: its type and at most a few dozen characters of it. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${shown(value)}`;
}
