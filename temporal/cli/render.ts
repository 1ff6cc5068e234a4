// How the CLI shows a run: step lines, the result, and a failed workflow's cause chain. Pure
// functions from data to text lines, so they are tested without a server.
import { ActivityFailure, ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import type { ValidationIssue } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';
import type { InputIssue } from '../workflows/input.ts';
import type {
  AdaptiveResult,
  AdaptiveStep,
  CompensationRecord,
  MultiServerResult,
  PublishResult,
  SimpleResult,
  StepName,
  StepStatus,
  WorkflowResult,
} from '../workflows/types.ts';

const STEP_OF_ACTIVITY: Record<string, StepName> = {
  reserveRecord: 'reserve-record',
  submitPublication: 'submit-publication',
  confirmPublication: 'confirm-publication',
  commitRecord: 'commit-record',
  checkHealth: 'health-check',
  validateData: 'validate',
  processInternal: 'process-internal',
  processExternal: 'process-external',
  enrichData: 'enrich',
  callThirdParty: 'third-party',
};

const MARKS: Record<StepStatus, string> = { completed: '✓', failed: '✗', cancelled: '⊘', running: '…', pending: '·' };

export function stepLine(step: StepName, durationMs: number | null, status: StepStatus = 'completed'): string {
  const mark = MARKS[status];
  return `  ${mark} ${step.padEnd(20)} ${durationMs === null ? '' : `${String(durationMs).padStart(6)} ms`}`.trimEnd();
}

export function resultLines(result: WorkflowResult): string[] {
  if (result.workflow === 'multiServerWorkflow') return multiServerLines(result);
  if (result.workflow === 'publishWorkflow') return publishLines(result);
  if (result.workflow === 'adaptiveWorkflow') return adaptiveLines(result);
  return simpleLines(result);
}

function publishLines(r: PublishResult): string[] {
  const lines =
    r.outcome === 'published'
      ? [
          'Published (saga completed)',
          `  Record       ${r.record?.id} (${r.record?.status} on server-a)`,
          `  Publication  ${r.publication?.id} (${r.publication?.status} on server-b)`,
        ]
      : [
          `Rejected by ${r.rejection?.rule === 'review' ? 'the review' : 'server-b'} (a business outcome; everything was undone)`,
          `  Rule         ${r.rejection?.rule}`,
          `  Reason       ${r.rejection?.message}`,
        ];
  const review = r.review?.decision
    ? [`  Review       ${r.review.state} by ${r.review.decision.reviewer}${r.review.decision.comment ? ` ("${r.review.decision.comment}")` : ''}`]
    : r.review
      ? [`  Review       ${r.review.state}`]
      : [];
  return [...lines, ...review, ...compensationLines(r.compensations)];
}

/** The compensations a saga ran, in the order they ran. */
export function compensationLines(compensations: CompensationRecord[]): string[] {
  if (compensations.length === 0) return [];
  return ['Compensations', ...compensations.map((c) => `  ${c.name.padEnd(21)} ${c.outcome}${c.detail ? ` (${c.detail})` : ''}`)];
}

function multiServerLines(r: MultiServerResult): string[] {
  const s = r.summary;
  const lines = [
    'Result (Server A + Server B)',
    `  Reference    ${s.reference}`,
    `  Category     ${s.category} (score ${s.score}/100)`,
    `  Keywords     ${s.keywords.length > 0 ? s.keywords.join(', ') : '(none)'}`,
    `  Words        ${s.wordCount} (${s.characterCount} characters after normalizing)`,
    `  Content hash ${s.contentHash.slice(0, 16)}… ${s.hashesMatch ? '(same on both servers)' : '(MISMATCH between servers)'}`,
  ];
  if (r.thirdParty) lines.push(`  Third party  answered in ${r.thirdParty.latencyMs} ms: "${r.thirdParty.answer.reversed}"`);
  // Runs from before fallbacks existed have neither field, and were never degraded.
  if (r.degraded) lines.push(...r.fallbacks.map((f) => `  Fallback     ${f.step}: default used (${f.service}'s circuit breaker was open)`));
  lines.push(`Completed${r.degraded ? ' degraded' : ''} in ${s.totalDurationMs} ms of workflow time`);
  return lines;
}

function simpleLines(r: SimpleResult): string[] {
  const s = r.summary;
  return [
    'Result (Server A only)',
    `  Normalized   "${s.normalized}"`,
    `  Words        ${s.wordCount} (${s.characterCount} characters)`,
    `  Content hash ${s.contentHash.slice(0, 16)}…`,
    `Completed in ${s.totalDurationMs} ms of workflow time`,
  ];
}

/** The plan an adaptive run took: each step, why it was planned, and what it found. */
function adaptiveLines(r: AdaptiveResult): string[] {
  const outcome: Record<AdaptiveStep, () => string> = {
    validate: () => 'valid',
    enrich: () => `${r.enrichment.category} (score ${r.enrichment.score}/100, keywords ${r.enrichment.keywords.join(', ') || '(none)'})`,
    'process-internal': () => `${r.internal?.wordCount} words, hash ${r.internal?.contentHash.slice(0, 16)}…`,
    'process-external': () => `reference ${r.external?.reference}${r.external?.contentHash === r.internal?.contentHash ? ' (same hash on both servers)' : ''}`,
    'third-party': () => `answered in ${r.thirdParty?.latencyMs} ms: "${r.thirdParty?.answer.reversed}"`,
    digest: () => `"${r.digest?.normalized}", hash ${r.digest?.contentHash.slice(0, 16)}…`,
  };
  return [
    `Plan (${r.plan.length} steps, decided as the run went)`,
    ...r.plan.map(({ step, reason }) => `  ${step.padEnd(17)} ${reason.padEnd(20)} ${outcome[step]()}`),
    `Completed in ${r.totalDurationMs} ms of workflow time`,
  ];
}

/** Walks the cause chain of a failed workflow: which step failed, which service, and why. */
export function failureLines(error: unknown): { step: StepName | null; lines: string[] } {
  let step: StepName | null = null;
  const lines: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) {
      if (e.type === FailureType.validationFailed) step ??= 'validate';
      lines.push(`${e.type ?? 'Error'}: ${e.message}${e.nonRetryable ? ' [not retried]' : ''}`);
      lines.push(...detailLines(e));
    } else if (e instanceof ActivityFailure) {
      step ??= STEP_OF_ACTIVITY[e.activityType] ?? null;
      lines.push(`Activity ${e.activityType} gave up (${e.retryState})`);
    } else if (e instanceof TimeoutFailure) {
      lines.push(`Timed out (${e.timeoutType})`);
    } else if (e instanceof CancelledFailure) {
      lines.push('Cancelled');
    } else if (e instanceof TerminatedFailure) {
      lines.push('Terminated');
    } else {
      lines.push(e.message);
    }
  }
  return { step, lines };
}

function detailLines(failure: ApplicationFailure): string[] {
  const [first] = failure.details ?? [];
  if (failure.type === FailureType.validationFailed && Array.isArray(first)) {
    return (first as ValidationIssue[]).map((issue) => `  - ${issue.field}: ${issue.message} (${issue.code})`);
  }
  if (failure.type === FailureType.invalidInput && Array.isArray(first)) {
    return (first as InputIssue[]).map((issue) => `  - ${issue.field}: ${issue.message}`);
  }
  // Service failures already name the service, endpoint and status in their message.
  return [];
}

/** One link of a failure chain, as plain data for --json. */
export interface FailureLink {
  kind: string;
  message: string;
  type?: string;
  nonRetryable?: boolean;
  activityType?: string;
  retryState?: string;
  details?: unknown[];
}

export interface FailureOutcome {
  workflowId: string;
  runId: string;
  status: 'failed' | 'cancelled' | 'terminated' | 'timed_out';
  failedStep: StepName | null;
  failures: FailureLink[];
}

/** How a run that did not complete ended, in words. */
export const ENDED: Record<FailureOutcome['status'], string> = {
  failed: 'failed',
  cancelled: 'was cancelled',
  terminated: 'was terminated',
  timed_out: 'timed out',
};

/** The --json form of a failed run: its status, the step, and the whole cause chain, outermost first. */
export function failureOutcome(workflowId: string, runId: string, error: unknown): FailureOutcome {
  const failures: FailureLink[] = [];
  let status: FailureOutcome['status'] = 'failed';
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) {
      failures.push({
        kind: 'ApplicationFailure',
        type: e.type ?? 'Error',
        message: e.message,
        nonRetryable: e.nonRetryable === true,
        details: e.details ?? [],
      });
    } else if (e instanceof ActivityFailure) {
      failures.push({ kind: 'ActivityFailure', message: e.message, activityType: e.activityType, retryState: e.retryState });
    } else if (e instanceof CancelledFailure) {
      status = 'cancelled';
      failures.push({ kind: 'CancelledFailure', message: e.message });
    } else if (e instanceof TerminatedFailure) {
      status = 'terminated';
      failures.push({ kind: 'TerminatedFailure', message: e.message });
    } else if (e instanceof TimeoutFailure) {
      if (failures.length === 0) status = 'timed_out';
      failures.push({ kind: 'TimeoutFailure', message: e.message });
    } else {
      failures.push({ kind: e.name, message: e.message });
    }
  }
  return { workflowId, runId, status, failedStep: failureLines(error).step, failures };
}
