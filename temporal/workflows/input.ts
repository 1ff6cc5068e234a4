// The workflows' boundary: every input is checked here before any step runs, whichever client sent
// it (this project's CLI, `temporal workflow start --input`, the Web UI's Start Workflow form). A bad
// input fails the run at once with one non-retryable InvalidWorkflowInput failure that lists every
// problem by field: no activity is scheduled and no workflow task fails. A plain Error here would fail
// the workflow *task* instead, and Temporal would retry it forever.
import { ApplicationFailure } from '@temporalio/common';
import { MAX_RETRY_AFTER_SECONDS, MAX_THIRD_PARTY_LATENCY_MS } from '../../shared/limits.ts';
import { FailureType } from '../failure-types.ts';
import type { MultiServerInput, PublishInput, WorkflowName } from './types.ts';
import type { BatchInput, BatchKind } from './types.ts';

export interface InputIssue {
  field: string;
  message: string;
}

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

/** Whether `value` is an outage limit the workflows accept (the CLI checks its option with this too). */
export function isOutageLimit(value: unknown): boolean {
  const ms = parseDuration(value);
  return ms !== undefined && ms >= OUTAGE_LIMIT.minMs && ms <= OUTAGE_LIMIT.maxMs;
}

/** Whether `value` is a review deadline the publish saga accepts (the CLI checks its option with this too). */
export function isReviewDeadline(value: unknown): boolean {
  const ms = parseDuration(value);
  return ms !== undefined && ms >= REVIEW_DEADLINE.minMs && ms <= REVIEW_DEADLINE.maxMs;
}

/** Every problem with `raw` as the input of `workflow`; empty when it is valid. */
export function inputIssues(raw: unknown, workflow: WorkflowName): InputIssue[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [{ field: '(input)', message: `the input must be a JSON object such as {"data": "hello"}, got ${describe(raw)}` }];
  }
  const input = raw as Record<string, unknown>;
  const issues: InputIssue[] = [];
  const extra: Record<WorkflowName, string[]> = {
    multiServerWorkflow: ['thirdParty'],
    simpleWorkflow: [],
    publishWorkflow: ['review', 'reviewDeadline'],
    adaptiveWorkflow: [],
  };
  const allowed = ['data', 'metadata', 'outageLimit', ...extra[workflow]];
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) issues.push({ field: key, message: `unknown field "${key}"; ${workflow} takes ${allowed.join(', ')}` });
  }
  if (typeof input.data !== 'string') issues.push({ field: 'data', message: `"data" must be a string, got ${describe(input.data)}` });
  if (input.metadata !== undefined && !isObject(input.metadata)) {
    issues.push({ field: 'metadata', message: `"metadata" must be a JSON object when given, got ${describe(input.metadata)}` });
  }
  if (input.outageLimit !== undefined && !isOutageLimit(input.outageLimit)) {
    issues.push({
      field: 'outageLimit',
      message: `"outageLimit" must be a duration from 1s to 1h such as "30s" or "2m", got ${JSON.stringify(input.outageLimit)}`,
    });
  }
  if (input.thirdParty !== undefined) issues.push(...thirdPartyIssues(input.thirdParty));
  if (input.review !== undefined && typeof input.review !== 'boolean') {
    issues.push({ field: 'review', message: `"review" must be true or false when given, got ${describe(input.review)}` });
  }
  if (input.reviewDeadline !== undefined && !isReviewDeadline(input.reviewDeadline)) {
    issues.push({
      field: 'reviewDeadline',
      message: `"reviewDeadline" must be a duration from 1s to 24h such as "90s" or "10m", got ${JSON.stringify(input.reviewDeadline)}`,
    });
  }
  return issues;
}

function thirdPartyIssues(value: unknown): InputIssue[] {
  if (!isObject(value)) return [{ field: 'thirdParty', message: `"thirdParty" must be a JSON object when given, got ${describe(value)}` }];
  const issues: InputIssue[] = [];
  const check = (key: string, ok: (v: unknown) => boolean, expected: string) => {
    const v = value[key];
    if (v !== undefined && !ok(v)) issues.push({ field: `thirdParty.${key}`, message: `"thirdParty.${key}" must be ${expected}, got ${JSON.stringify(v)}` });
  };
  const wholeIn = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  for (const key of Object.keys(value)) {
    if (!['latencyMs', 'failureRate', 'failureStatus', 'retryAfterSeconds'].includes(key)) {
      issues.push({ field: `thirdParty.${key}`, message: `unknown field "thirdParty.${key}"` });
    }
  }
  check('latencyMs', wholeIn(0, MAX_THIRD_PARTY_LATENCY_MS), `a whole number from 0 to ${MAX_THIRD_PARTY_LATENCY_MS}`);
  check('failureRate', (v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1');
  check('failureStatus', (v) => v === 429 || v === 503, '429 or 503');
  check('retryAfterSeconds', wholeIn(0, MAX_RETRY_AFTER_SECONDS), `a whole number from 0 to ${MAX_RETRY_AFTER_SECONDS}`);
  return issues;
}

/** The input, checked; throws the InvalidWorkflowInput failure that ends the run. */
export function parseInput(raw: unknown, workflow: WorkflowName): MultiServerInput {
  const issues = inputIssues(raw, workflow);
  if (issues.length > 0) {
    throw ApplicationFailure.create({
      type: FailureType.invalidInput,
      message: `Invalid input for ${workflow}: ${issues.map((i) => i.message).join('; ')}`,
      nonRetryable: true,
      details: [issues],
    });
  }
  return raw as MultiServerInput;
}

// ---- batchWorkflow's input ----

/**
 * The bounds of a batch, and why. A batch's input is stored in its history, and every continue-as-new
 * carries the items still to run plus the outcomes so far. Temporal refuses a payload over 2 MB (and warns
 * over 512 KB), so the items are bounded by count and by size: at most 2,000 items of 512 K characters of
 * JSON in all, and each outcome's reason is cut to 200 characters, which keeps the carried state and the
 * final result (about 300 characters per item at worst) well under the limit. A bigger job belongs in
 * several batches, or its input belongs somewhere else (a file in object storage, a query on a service)
 * and the batch gets a reference to it and reads it page by page in an activity.
 */
export const BATCH_LIMITS = {
  maxItems: 2_000,
  maxInputChars: 512 * 1024,
  /** Children at once: enough to keep both services busy, few enough not to swamp them or the worker. */
  maxConcurrent: { default: 5, min: 1, max: 50 },
  /**
   * Children per run before the batch continues as new. A child costs the parent about 6 to 9 events
   * (initiated, started, closed, and the workflow tasks around them), so 200 children keep each run near
   * 2,000 events: far from the 10,240 events at which Temporal starts warning, and below the 4,096 at
   * which it suggests continuing as new (the batch also honours that suggestion).
   */
  continueAsNewAfter: { default: 200, min: 1, max: 1_000 },
  /** An outcome's reason is cut to this many characters (see above). */
  maxReasonChars: 200,
  /** A bad batch lists this many problems, then how many more there are (the failure lives in history too). */
  maxIssuesListed: 50,
} as const;

/** The workflow each batch kind runs, by name; `satisfies` keeps it in step with kinds.ts at compile time
 *  (kinds.ts imports the workflows, which import this file, so it is not imported here at run time). */
const BATCH_KIND_WORKFLOWS = {
  multi: 'multiServerWorkflow',
  simple: 'simpleWorkflow',
  publish: 'publishWorkflow',
  adaptive: 'adaptiveWorkflow',
} as const satisfies Record<BatchKind, WorkflowName>;

const BATCH_FIELDS = ['kind', 'items', 'maxConcurrent', 'continueAsNewAfter'];

/** Every problem with `raw` as the input of batchWorkflow, each item checked as its kind's workflow checks
 *  its own input; empty when it is valid. */
export function batchInputIssues(raw: unknown): InputIssue[] {
  if (!isObject(raw)) {
    return [{ field: '(input)', message: `the input must be a JSON object such as {"kind": "multi", "items": [{"data": "hello"}]}, got ${describe(raw)}` }];
  }
  const issues: InputIssue[] = [];
  for (const key of Object.keys(raw)) {
    if (!BATCH_FIELDS.includes(key)) issues.push({ field: key, message: `unknown field "${key}"; batchWorkflow takes ${BATCH_FIELDS.join(', ')}` });
  }
  const kinds = Object.keys(BATCH_KIND_WORKFLOWS);
  const kindOk = typeof raw.kind === 'string' && kinds.includes(raw.kind);
  if (!kindOk) issues.push({ field: 'kind', message: `"kind" must be one of ${kinds.join(', ')}, got ${describe(raw.kind)}` });
  const wholeIn = (key: 'maxConcurrent' | 'continueAsNewAfter') => {
    const { min, max } = BATCH_LIMITS[key];
    const v = raw[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
      issues.push({ field: key, message: `"${key}" must be a whole number from ${min} to ${max}, got ${describe(v)}` });
    }
  };
  wholeIn('maxConcurrent');
  wholeIn('continueAsNewAfter');

  const { items } = raw;
  if (!Array.isArray(items) || items.length === 0 || items.length > BATCH_LIMITS.maxItems) {
    const got = Array.isArray(items) ? `${items.length} items` : describe(items);
    issues.push({ field: 'items', message: `"items" must be an array of 1 to ${BATCH_LIMITS.maxItems} inputs, got ${got}` });
  } else {
    const chars = JSON.stringify(items).length;
    if (chars > BATCH_LIMITS.maxInputChars) {
      issues.push({
        field: 'items',
        message: `"items" must be at most ${BATCH_LIMITS.maxInputChars} characters of JSON in all, got ${chars}; split the batch`,
      });
    }
    // Without a valid kind, each item is checked as the widest input (multi's).
    const workflow = BATCH_KIND_WORKFLOWS[kindOk ? (raw.kind as BatchKind) : 'multi'];
    items.forEach((item, index) => {
      for (const issue of inputIssues(item, workflow)) {
        const field = issue.field === '(input)' ? `items[${index}]` : `items[${index}].${issue.field}`;
        issues.push({ field, message: `items[${index}]: ${issue.message}` });
      }
    });
  }
  if (issues.length <= BATCH_LIMITS.maxIssuesListed) return issues;
  const more = issues.length - BATCH_LIMITS.maxIssuesListed;
  return [...issues.slice(0, BATCH_LIMITS.maxIssuesListed), { field: 'items', message: `and ${more} more problem${more === 1 ? '' : 's'}` }];
}

/** The batch's input, checked; throws the InvalidWorkflowInput failure that ends the run. */
export function parseBatchInput(raw: unknown): BatchInput {
  const issues = batchInputIssues(raw);
  if (issues.length > 0) {
    throw ApplicationFailure.create({
      type: FailureType.invalidInput,
      message: `Invalid input for batchWorkflow: ${issues.map((i) => i.message).join('; ')}`,
      nonRetryable: true,
      details: [issues],
    });
  }
  return raw as unknown as BatchInput;
}

/** The run's outage limit in milliseconds, from a checked input. */
export function outageLimitMs(input: MultiServerInput): number {
  return input.outageLimit === undefined ? OUTAGE_LIMIT.defaultMs : parseDuration(input.outageLimit)!;
}

/** Each review wait in milliseconds, from a checked publish input. */
export function reviewDeadlineMs(input: PublishInput): number {
  return input.reviewDeadline === undefined ? REVIEW_DEADLINE.defaultMs : parseDuration(input.reviewDeadline)!;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
