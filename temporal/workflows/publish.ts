// The saga: a distributed transaction across Server A and Server B. Validate and process the data on A,
// reserve a record on A, submit a publication on B, confirm it on B, and commit the record on A.
// Each compensation is registered before its step runs, so a step that applied its change but never
// answered is still undone (the compensation finds the change by the step's Idempotency-Key).
// Data that needs a person's eyes (review.ts) waits, once submitted, for a reviewer's decision before it
// is confirmed. Outcomes: published; rejected by Server B's rules or by the review (a business outcome:
// everything is undone and the run *completes* saying why); or a technical failure past the outage limit
// (everything is undone and the run fails with the cause). Cancelling the run undoes it the same way. Committing the record is the point of no return: once it happened, the
// saga has succeeded, even if its answer was lost.
import { ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DataRecord, Publication } from '../../shared/api.ts';
import type { Activities } from '../activities/index.ts';
import type { Undone } from '../activities/saga.ts';
import { SAGA_STEPS } from '../saga-steps.ts';
import { FailureType } from '../failure-types.ts';
import { activityOptions } from './activity-options.ts';
import { outageLimitMs, parseInput, reviewDeadlineMs } from './input.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { progressQuery } from './messages.ts';
import { rideOut } from './outage.ts';
import { Review, reviewReason, reviewRejection } from './review.ts';
import { StepTracker } from './step-tracker.ts';
import type { CompensationRecord, PublishInput, PublishResult } from './types.ts';
import { assertValid } from './validation.ts';

interface Compensation {
  name: CompensationRecord['name'];
  run: () => Promise<Undone<DataRecord | Publication>>;
}

export async function publishWorkflow(raw: PublishInput): Promise<PublishResult> {
  const steps = new StepTracker('publishWorkflow');
  setHandler(progressQuery, () => steps.progress());
  const review = new Review();
  const input: PublishInput = steps.guard(() => parseInput(raw, 'publishWorkflow'));
  steps.plan(['validate', 'process-internal', SAGA_STEPS.reserve, SAGA_STEPS.submit, SAGA_STEPS.confirm, SAGA_STEPS.commit]);

  const limit = outageLimitMs(input);
  const options = activityOptions(limit);
  const { validateData, processInternal, reserveRecord, commitRecord } = proxyActivities<Activities>(options.serverA);
  const { submitPublication, confirmPublication } = proxyActivities<Activities>(options.serverB);
  const { releaseReservedRecord } = proxyActivities<Activities>(options.compensation['server-a']);
  const { withdrawSubmittedPublication } = proxyActivities<Activities>(options.compensation['server-b']);
  const onA = <T>(call: () => Promise<T>) => rideOut('server-a', limit, call);
  const onB = <T>(call: () => Promise<T>) => rideOut('server-b', limit, call);
  const { data, metadata } = input;

  /** Undo actions, last registered first. */
  const compensations: Compensation[] = [];
  const state: { record: DataRecord | null; publication: Publication | null } = { record: null, publication: null };
  const result = (outcome: PublishResult['outcome'], rejection: PublishResult['rejection']): PublishResult => {
    steps.complete();
    const reviewed = review.status.reason === null ? null : review.status;
    return {
      workflow: 'publishWorkflow',
      outcome,
      input,
      ...state,
      rejection,
      review: reviewed,
      compensations: steps.compensationsRun(),
      timings: steps.timings(),
    };
  };

  try {
    await steps.run('validate', async () => assertValid(await onA(() => validateData({ data, metadata }))));
    const internal = await steps.run('process-internal', () => onA(() => processInternal({ data, metadata })));
    compensations.unshift({ name: 'release-record', run: releaseReservedRecord });
    const record = await steps.run(SAGA_STEPS.reserve, () => onA(() => reserveRecord({ data })));
    state.record = record;
    compensations.unshift({ name: 'withdraw-publication', run: withdrawSubmittedPublication });
    const submitted = await steps.run(SAGA_STEPS.submit, () => onB(() => submitPublication({ recordId: record.id, content: internal.normalized })));
    state.publication = submitted;
    // Replaying a run that passed this point before the review existed: no review, as its history says.
    const reason = takesPatch(PATCHES.review) ? reviewReason(internal, input.review === true) : null;
    if (reason === null) review.notNeeded();
    else {
      steps.insertBefore('review', SAGA_STEPS.confirm);
      await steps.run('review', async () => {
        const verdict = await review.decision(reason, reviewDeadlineMs(input));
        if (verdict !== 'approve') throw reviewRejection(review.status);
      });
    }
    state.publication = await steps.run(SAGA_STEPS.confirm, () => onB(() => confirmPublication(submitted.id)));
    state.record = await steps.run(SAGA_STEPS.commit, () => onA(() => commitRecord(record.id)));
    return result('published', null);
  } catch (error) {
    const rejection = ruleRejection(error);
    // Once the commit was tried it may have landed although its answer never came. Server A decides: the
    // record is released first, and releasing and committing exclude each other there.
    const commitTried = steps.progress().steps.some((s) => s.step === SAGA_STEPS.commit && s.status !== 'pending');
    const release = compensations.filter((c) => c.name === 'release-record');
    const order = commitTried ? [...release, ...compensations.filter((c) => c.name !== 'release-record')] : compensations;
    const committed = await CancellationScope.nonCancellable(() => compensate(order, steps, state));
    if (committed) return result('published', null);
    const failed = steps.compensationsRun().filter((c) => c.outcome === 'failed');
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

/**
 * Runs the compensations in order; one that fails for good is recorded and does not stop the others.
 * Resolves true when the record turned out to be committed: the saga succeeded, and nothing more is undone.
 */
async function compensate(
  compensations: Compensation[],
  steps: StepTracker,
  state: { record: DataRecord | null; publication: Publication | null },
): Promise<boolean> {
  for (const { name, run } of compensations) {
    try {
      const undone = await run();
      if (undone.outcome === 'committed') {
        state.record = undone.resource as DataRecord;
        return true;
      }
      steps.compensated({ name, outcome: undone.outcome, detail: undone.resource?.id ?? '' });
      if (undone.resource && name === 'release-record') state.record = undone.resource as DataRecord;
      if (undone.resource && name === 'withdraw-publication') state.publication = undone.resource as Publication;
    } catch (error) {
      // Only an undo the service refused for good (a 4xx) ends here; a bug in this code must fail the task.
      if (!(error instanceof ActivityFailure)) throw error;
      steps.compensated({ name, outcome: 'failed', detail: error.cause?.message ?? error.message });
    }
  }
  return false;
}
/** Server B's rules refused the content (a 422 RULE_VIOLATION, which no retry can change), or the review did. */
function ruleRejection(error: unknown): PublishResult['rejection'] {
  if (error instanceof ApplicationFailure && error.type === FailureType.reviewRejected) return { rule: 'review', message: error.message };
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.rejected) return null;
  const details = cause.details?.[0] as { code?: string } | undefined;
  if (details?.code !== 'RULE_VIOLATION') return null;
  const rule = /rule ([\w-]+)/.exec(cause.message)?.[1] ?? 'unknown';
  return { rule, message: cause.message };
}
