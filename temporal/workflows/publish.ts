// The publish saga across Server A and Server B (docs/saga-and-review.md): validate, process, reserve a record
// (A), submit and confirm a publication (B), commit the record (A), with a review before confirming when needed.
// Each compensation is registered before its step runs, so a step that applied its change but never answered is
// still undone. A rejection completes the run as "rejected"; a technical failure fails it; both undo everything.
import { ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { DataRecord } from '../../server-a/contract.ts';
import type { Publication } from '../../server-b/contract.ts';
import type { ServerAActivities, ServerBActivities, Undone } from '../activities/types.ts';
import { assertValid, FailureType } from '../failure-types.ts';
import { SAGA_STEPS } from '../saga-steps.ts';
import { COMPENSATION, SERVICE_CALL } from './activity-options.ts';
import { duration, isReviewDeadline, parseDuration, parseInput, REVIEW_DEADLINE, WorkflowInput } from './input.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { Review, reviewReason, reviewRejection } from './review.ts';
import { addStep, type CompensationRecord, compensated, compensationsRun, plan, step, stepBegun, timings } from './steps.ts';

const { validateData, processInternal, reserveRecord, commitRecord } = proxyActivities<ServerAActivities>(SERVICE_CALL);
const { submitPublication, confirmPublication } = proxyActivities<ServerBActivities>(SERVICE_CALL);
const { releaseReservedRecord } = proxyActivities<ServerAActivities>(COMPENSATION);
const { withdrawSubmittedPublication } = proxyActivities<ServerBActivities>(COMPENSATION);

export const PublishInput = WorkflowInput.extend({
  review: z.boolean().optional().meta({ description: 'Ask a person to review even when the review rule would not.' }),
  reviewDeadline: duration(
    isReviewDeadline,
    'must be a duration from 1s to 24h such as "90s" or "10m"',
    'Each review wait: at the first deadline the review escalates, at the second it expires (rejected). Default 5m.',
  ).optional(),
});
export type PublishInput = z.infer<typeof PublishInput>;

/** Why Server B's rules (rule name) or the review (rule "review") refused the content, when they did. */
type Rejection = { rule: string; message: string } | null;

type Compensation = { name: CompensationRecord['name']; run: () => Promise<Undone<DataRecord | Publication>> };

export async function publishWorkflow(raw: PublishInput) {
  const review = new Review();
  const input = parseInput(PublishInput, raw, 'publishWorkflow');
  plan('validate', 'process-internal', SAGA_STEPS.reserve, SAGA_STEPS.submit, SAGA_STEPS.confirm, SAGA_STEPS.commit);
  const { data, metadata } = input;

  /** Undo actions, last registered first. */
  const compensations: Compensation[] = [];
  const state: { record: DataRecord | null; publication: Publication | null } = { record: null, publication: null };
  /** published: every step done. rejected: Server B's rules or a reviewer refused the content (or its review expired); everything was undone. */
  const result = (outcome: 'published' | 'rejected', rejection: Rejection) => ({
    workflow: 'publishWorkflow' as const,
    outcome,
    input,
    ...state,
    rejection,
    // The review, when the run needed one.
    review: review.status.reason === null ? null : review.status,
    compensations: compensationsRun(),
    timings: timings(),
  });

  try {
    assertValid(await validateData({ data, metadata }));
    const internal = await processInternal({ data, metadata });
    compensations.unshift({ name: 'release-record', run: releaseReservedRecord });
    const record = await reserveRecord({ data });
    state.record = record;
    compensations.unshift({ name: 'withdraw-publication', run: withdrawSubmittedPublication });
    const submitted = await submitPublication({ recordId: record.id, content: internal.normalized });
    state.publication = submitted;
    // Replaying a run that passed this point before the review existed: no review, as its history says.
    const reason = takesPatch(PATCHES.review) ? reviewReason(internal, input.review === true) : null;
    if (reason === null) review.notNeeded();
    else {
      addStep('review', SAGA_STEPS.confirm);
      await step('review', async () => {
        const deadlineMs = input.reviewDeadline === undefined ? REVIEW_DEADLINE.defaultMs : parseDuration(input.reviewDeadline)!;
        const verdict = await review.decision(reason, deadlineMs);
        if (verdict !== 'approve') throw reviewRejection(review.status);
      });
    }
    state.publication = await confirmPublication(submitted.id);
    state.record = await commitRecord(record.id);
    return result('published', null);
  } catch (error) {
    const rejection = ruleRejection(error);
    // Once the commit was tried it may have landed although its answer never came. Server A decides: the
    // record is released first, and releasing and committing exclude each other there.
    const commitTried = stepBegun(SAGA_STEPS.commit);
    const release = compensations.filter((c) => c.name === 'release-record');
    const order = commitTried ? [...release, ...compensations.filter((c) => c.name !== 'release-record')] : compensations;
    const committed = await CancellationScope.nonCancellable(() => compensate(order, state));
    if (committed) return result('published', null);
    const failed = compensationsRun().filter((c) => c.outcome === 'failed');
    if (failed.length > 0) {
      throw ApplicationFailure.create({
        type: FailureType.compensationFailed,
        message: `The saga could not undo ${failed.map((c) => `${c.name} (${c.detail})`).join(', ')}; the services' state needs a person`,
        nonRetryable: true,
        details: [failed],
        cause: error instanceof Error ? error : undefined,
      });
    }
    if (rejection) return result('rejected', rejection);
    throw error;
  }
}

export type PublishResult = Awaited<ReturnType<typeof publishWorkflow>>;

/** Runs the compensations in order; one that fails for good is recorded and does not stop the others. True when
 *  the record turned out to be committed: the saga succeeded, and nothing more is undone. */
async function compensate(compensations: Compensation[], state: { record: DataRecord | null; publication: Publication | null }): Promise<boolean> {
  for (const { name, run } of compensations) {
    try {
      const undone = await run();
      if (undone.outcome === 'committed') {
        state.record = undone.resource as DataRecord;
        return true;
      }
      compensated({ name, outcome: undone.outcome, detail: undone.resource?.id ?? '' });
      if (undone.resource && name === 'release-record') state.record = undone.resource as DataRecord;
      if (undone.resource && name === 'withdraw-publication') state.publication = undone.resource as Publication;
    } catch (error) {
      // Only an undo the service refused for good (a 4xx) ends here; a bug in this code must fail the task.
      if (!(error instanceof ActivityFailure)) throw error;
      compensated({ name, outcome: 'failed', detail: error.cause?.message ?? error.message });
    }
  }
  return false;
}
/** Server B's rules refused the content (a 422 RULE_VIOLATION, which no retry can change), or the review did. */
function ruleRejection(error: unknown): Rejection {
  if (error instanceof ApplicationFailure && error.type === FailureType.reviewRejected) return { rule: 'review', message: error.message };
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.rejected) return null;
  const details = cause.details?.[0] as { code?: string } | undefined;
  if (details?.code !== 'RULE_VIOLATION') return null;
  const rule = /rule ([\w-]+)/.exec(cause.message)?.[1] ?? 'unknown';
  return { rule, message: cause.message };
}
