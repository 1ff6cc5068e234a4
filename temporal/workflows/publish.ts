// The saga: a distributed transaction across Server A and Server B. Validate and process the data on A,
// reserve a record on A, submit a publication on B, confirm it on B, and commit the record on A.
// Each compensation is registered before its step runs, so a step that applied its change but never
// answered is still undone (the compensation finds the change by the step's Idempotency-Key).
// Outcomes: published; rejected by Server B's rules (a business outcome: everything is undone and the
// run *completes* saying why); or a technical failure past the outage limit (everything is undone and the
// run fails with the cause). Committing the record is the point of no return: once it happened, the
// saga has succeeded, even if its answer was lost.
import { ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DataRecord, Publication } from '../../shared/api.ts';
import type { Activities } from '../activities/index.ts';
import { FailureType } from '../failure-types.ts';
import { activityOptions } from './activity-options.ts';
import { outageLimitMs, parseInput } from './input.ts';
import { progressQuery } from './messages.ts';
import { rideOut } from './outage.ts';
import { StepTracker } from './step-tracker.ts';
import type { CompensationRecord, PublishResult, WorkflowInput } from './types.ts';
import { assertValid } from './validation.ts';

interface Compensation {
  name: CompensationRecord['name'];
  run: () => Promise<{ outcome: 'undone' | 'nothing-to-undo'; resource: { id: string } | null }>;
}

export async function publishWorkflow(raw: WorkflowInput): Promise<PublishResult> {
  const steps = new StepTracker('publishWorkflow');
  setHandler(progressQuery, () => steps.progress());
  const input: WorkflowInput = steps.guard(() => parseInput(raw, 'publishWorkflow'));
  steps.plan(['validate', 'process-internal', 'reserve-record', 'submit-publication', 'confirm-publication', 'commit-record']);

  const limit = outageLimitMs(input);
  const options = activityOptions(limit);
  const { validateData, processInternal, reserveRecord, commitRecord } = proxyActivities<Activities>(options.serverA);
  const { submitPublication, confirmPublication } = proxyActivities<Activities>(options.serverB);
  const { releaseReservedRecord, withdrawSubmittedPublication, findReservedRecord } = proxyActivities<Activities>(options.compensation);
  const onA = <T>(call: () => Promise<T>) => rideOut('server-a', limit, call);
  const onB = <T>(call: () => Promise<T>) => rideOut('server-b', limit, call);
  const { data, metadata } = input;

  /** Undo actions, last registered first. */
  const compensations: Compensation[] = [];
  let record: DataRecord | null = null;
  let publication: Publication | null = null;
  const result = (outcome: PublishResult['outcome'], rejection: PublishResult['rejection']): PublishResult => ({
    workflow: 'publishWorkflow',
    outcome,
    input,
    record,
    publication,
    rejection,
    compensations: steps.compensationsRun(),
    timings: steps.timings(),
  });

  try {
    await steps.run('validate', async () => assertValid(await onA(() => validateData({ data, metadata }))));
    const internal = await steps.run('process-internal', () => onA(() => processInternal({ data, metadata })));
    compensations.unshift({ name: 'release-record', run: releaseReservedRecord });
    record = await steps.run('reserve-record', () => onA(() => reserveRecord({ data })));
    const recordId = record.id;
    compensations.unshift({ name: 'withdraw-publication', run: withdrawSubmittedPublication });
    publication = await steps.run('submit-publication', () => onB(() => submitPublication({ recordId, content: internal.normalized })));
    const publicationId = publication.id;
    publication = await steps.run('confirm-publication', () => onB(() => confirmPublication(publicationId)));
    record = await steps.run('commit-record', () => onA(() => commitRecord(recordId)));
    steps.complete();
    return result('published', null);
  } catch (error) {
    const rejection = ruleRejection(error);
    await CancellationScope.nonCancellable(async () => {
      // The commit may have happened although its answer never came: then the saga is done, not undone.
      if (!rejection && steps.progress().steps.find((s) => s.step === 'commit-record')?.status !== 'pending') {
        const found = await findReservedRecord();
        if (found?.status === 'committed') {
          record = found;
          return;
        }
      }
      await compensate(compensations, steps);
    });
    if (record?.status === 'committed') {
      steps.complete();
      return result('published', null);
    }
    if (rejection) {
      steps.complete();
      return result('rejected', rejection);
    }
    throw error;
  }
}

/** Runs every compensation, in reverse order; one that fails for good is recorded and does not stop the others. */
async function compensate(compensations: Compensation[], steps: StepTracker): Promise<void> {
  for (const { name, run } of compensations) {
    try {
      const undone = await run();
      steps.compensated({ name, outcome: undone.outcome, detail: undone.resource?.id ?? '' });
    } catch (error) {
      // Only an undo the service refused for good (a 4xx) ends here; a bug in this code must fail the task.
      if (!(error instanceof ActivityFailure)) throw error;
      steps.compensated({ name, outcome: 'failed', detail: error.cause?.message ?? error.message });
    }
  }
}

/** Server B's rules refused the content: a 422 RULE_VIOLATION, which no retry can change. */
function ruleRejection(error: unknown): PublishResult['rejection'] {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.rejected) return null;
  const details = cause.details?.[0] as { code?: string } | undefined;
  if (details?.code !== 'RULE_VIOLATION') return null;
  const rule = /rule ([\w-]+)/.exec(cause.message)?.[1] ?? 'unknown';
  return { rule, message: cause.message };
}
