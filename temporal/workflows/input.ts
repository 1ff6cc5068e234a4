// The workflows' boundary: every input is checked here before any step runs, whichever client sent
// it (this project's CLI, `temporal workflow start --input`, the Web UI's Start Workflow form). A bad
// input fails the run at once with one non-retryable InvalidWorkflowInput failure that lists every
// problem by field: no activity is scheduled and no workflow task fails. A plain Error here would fail
// the workflow *task* instead, and Temporal would retry it forever.
import { ApplicationFailure } from '@temporalio/common';
import { MAX_RETRY_AFTER_SECONDS, MAX_THIRD_PARTY_LATENCY_MS } from '../../shared/limits.ts';
import { FailureType } from '../failure-types.ts';
import type { MultiServerInput, WorkflowName } from './types.ts';

export interface InputIssue {
  field: string;
  message: string;
}

export const OUTAGE_LIMIT = { defaultMs: 120_000, minMs: 1_000, maxMs: 3_600_000 } as const;

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

/** Every problem with `raw` as the input of `workflow`; empty when it is valid. */
export function inputIssues(raw: unknown, workflow: WorkflowName): InputIssue[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [{ field: '(input)', message: `the input must be a JSON object such as {"data": "hello"}, got ${describe(raw)}` }];
  }
  const input = raw as Record<string, unknown>;
  const issues: InputIssue[] = [];
  const allowed = workflow === 'multiServerWorkflow' ? ['data', 'metadata', 'outageLimit', 'thirdParty'] : ['data', 'metadata', 'outageLimit'];
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

/** The run's outage limit in milliseconds, from a checked input. */
export function outageLimitMs(input: MultiServerInput): number {
  return input.outageLimit === undefined ? OUTAGE_LIMIT.defaultMs : parseDuration(input.outageLimit)!;
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
