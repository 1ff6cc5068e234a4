// How the CLI shows a run (steps, result, review, a failure's cause chain): pure functions from data to lines, tested without a server.
import { FailureType } from '../failure-types.ts';
import { failedStep, type FailureLink, failureLinks } from '../runs/run-failure.ts';
import type { AdaptiveResult } from '../workflows/adaptive.ts';
import type { AdaptiveStep } from '../workflows/adaptive-plan.ts';
import type { WorkflowResult } from '../workflows/kinds.ts';
import type { MultiServerResult } from '../workflows/multi-server.ts';
import type { PublishResult } from '../workflows/publish.ts';
import type { ReviewStatus } from '../workflows/review.ts';
import type { SimpleResult } from '../workflows/simple.ts';
import type { CompensationRecord, StepName, StepStatus } from '../workflows/steps.ts';
import { CLIENT } from './args.ts';

const MARKS: Record<StepStatus, string> = { completed: '✓', failed: '✗', cancelled: '⊘', running: '…', pending: '·' };

export function stepLine(step: StepName, durationMs: number | null, status: StepStatus = 'completed'): string {
  const took = status === 'completed' && durationMs !== null ? `${String(durationMs).padStart(6)} ms` : '';
  return `  ${MARKS[status]} ${step.padEnd(20)} ${took}`.trimEnd();
}

/** Rows as columns padded to their widest cell, two spaces apart; the first row is the header. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const padded = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return rows.map((row) => padded(row).trimEnd());
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
  if (r.review) lines.push(`  Review       ${r.review.state}${decidedBy(r.review)}`);
  return [...lines, ...compensationLines(r.compensations)];
}

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

/** What a waiting review waits for, until when, and the exact commands that decide it. */
export function reviewWaitLines(workflowId: string, review: ReviewStatus): string[] {
  return [
    review.state === 'escalated'
      ? `  ! Review escalated: still no decision. It expires (and the run is rejected) at ${review.deadline}.`
      : `  … Waiting for a review: ${review.reason}. Escalates at ${review.deadline} if nobody decides.`,
    `      approve: ${CLIENT} approve ${workflowId} --reviewer NAME [--comment TEXT]`,
    `      reject:  ${CLIENT} reject ${workflowId} --reviewer NAME --comment TEXT`,
  ];
}

/** A publish run's review, as `status` shows it. */
export function reviewLines(workflowId: string, review: ReviewStatus): string[] {
  if (review.state === 'pending' || review.state === 'escalated') return ['Review', ...reviewWaitLines(workflowId, review)];
  if (review.state === 'not-needed') return ['Review: not needed'];
  if (review.state === 'not-yet') return ['Review: not reached yet'];
  return [`Review: ${review.state}${decidedBy(review)}${review.reason ? `; asked because ${review.reason}` : ''}`];
}

function decidedBy({ decision }: Pick<ReviewStatus, 'decision'>): string {
  return decision ? ` by ${decision.reviewer}${decision.comment ? ` ("${decision.comment}")` : ''}` : '';
}

/** How a run that did not complete ended, in words. */
export const ENDED = { failed: 'failed', cancelled: 'was cancelled', terminated: 'was terminated', timed_out: 'timed out' } as const;

/** The --json form of a failed run: its status, the step, and the whole cause chain, outermost first. */
export function failureOutcome(workflowId: string, runId: string, error: unknown) {
  const failures = failureLinks(error);
  const has = (kind: string) => failures.some((f) => f.kind === kind);
  let status: keyof typeof ENDED = failures[0]?.kind === 'TimeoutFailure' ? 'timed_out' : 'failed';
  if (has('TerminatedFailure')) status = 'terminated';
  if (has('CancelledFailure')) status = 'cancelled';
  return { workflowId, runId, status, failedStep: failedStep(error), failures };
}

/** A failed run's cause chain (failureOutcome's failures) for people: which service, and why. */
export function failureLines(failures: FailureLink[]): string[] {
  return failures.flatMap((link) => [LINE[link.kind]?.(link) ?? link.message, ...issueLines(link)]);
}

const LINE: Record<string, (link: FailureLink) => string> = {
  ApplicationFailure: (link) => `${link.type}: ${link.message}${link.nonRetryable ? ' [not retried]' : ''}`,
  ActivityFailure: (link) => `Activity ${link.activityType} gave up (${link.retryState})`,
  TimeoutFailure: (link) => `Timed out (${link.timeoutType})`,
  CancelledFailure: () => 'Cancelled',
  TerminatedFailure: () => 'Terminated',
};

/** A refused input lists its problems, by field; service failures already name the service, endpoint and status. */
function issueLines({ type, details }: FailureLink): string[] {
  const [issues] = details ?? [];
  if ((type !== FailureType.validationFailed && type !== FailureType.invalidInput) || !Array.isArray(issues)) return [];
  return (issues as Array<{ field: string; message: string; code?: string }>).map((i) => `  - ${i.field}: ${i.message}${i.code ? ` (${i.code})` : ''}`);
}
