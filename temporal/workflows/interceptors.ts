// What every workflow gets without writing it, as workflow interceptors (registered in worker/create-worker.ts),
// so a workflow reads as plain awaited activity calls. Around each run: its steps, the `progress` query and the
// patch decisions. Around each activity call: routing to its service's task queue, the outage rule (retried until
// the run's outage limit, then ServiceUnavailable naming the service), step tracking and search attributes.
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import {
  type ActivityInput,
  isCancellation,
  type Next,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
  workflowInfo,
} from '@temporalio/workflow';
import { ACTIVITIES, type ActivityName, serviceOf, serviceTaskQueue } from '../activities/types.ts';
import { FailureType, OUTAGE_FAILURE_TYPES } from '../failure-types.ts';
import { attemptsToRideOut } from './activity-options.ts';
import { outageLimitOf } from './input.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { CURRENT_STEP, DATA_CATEGORY } from './search-attributes.ts';
import { failStep, type Progress, progressQuery, runSteps, type StepStatus } from './steps.ts';

/** A batch reports through its own query and its children: it has no steps. */
const WITHOUT_STEPS = new Set(['batchWorkflow']);

interface RunRules {
  /** Runs from before the search attributes replay without their upserts. */
  publishes: boolean;
  /** Runs from before current-details-v1 upsert CurrentStep at every step; newer ones only where they stopped. */
  everyStep: boolean;
  /** Runs from before the per-service queues call every activity on the workflow's own queue. */
  perServiceQueues: boolean;
  outageLimitMs: number;
}

/** Around the run: its steps and their progress, and the patch decisions its activity calls follow (`run.rules`). */
async function execute(run: { rules?: RunRules }, input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
  const { workflowType } = workflowInfo();
  if (WITHOUT_STEPS.has(workflowType)) return next(input);
  const steps = runSteps(workflowType);
  setHandler(progressQuery, () => steps.progress());
  // Asked once, first, newest first: a new run takes the older ones without a marker (patches.ts); an older
  // run's history answers them in the order the code of its time asked them.
  const detailed = takesPatch(PATCHES.currentDetails, workflowType);
  const publishes = takesPatch(PATCHES.searchAttributes, workflowType);
  const perServiceQueues = takesPatch(PATCHES.serviceQueues, workflowType);
  const rules: RunRules = { publishes, everyStep: publishes && !detailed, perServiceQueues, outageLimitMs: outageLimitOf(input.args[0]) };
  run.rules = rules;
  steps.marksStops = detailed;
  steps.onChange = (started) => {
    setCurrentDetails(details(steps.progress()));
    if (started && rules.everyStep) upsertSearchAttributes([{ key: CURRENT_STEP, value: started }]);
  };
  try {
    const result = await next(input);
    steps.close('completed');
    if (rules.everyStep) upsertSearchAttributes([{ key: CURRENT_STEP, value: 'done' }]);
    return result;
  } catch (error) {
    steps.close(isCancellation(error) ? 'cancelled' : 'failed');
    // One write per run that failed or was cancelled: runs can be found by the step they stopped at (list --step).
    // A run stopped in its review already names it (review.ts).
    const stopped = steps.steps.find((s) => s.status === 'failed') ?? steps.last;
    if (detailed && stopped && stopped.step !== 'review') upsertSearchAttributes([{ key: CURRENT_STEP, value: stopped.step }]);
    throw error;
  }
}

/** Around each activity call: its task queue, its attempts, its step and the DataCategory it finds. */
async function scheduleActivity(rules: RunRules | undefined, input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
  if (!rules) return next(input);
  const service = serviceOf(input.activityType, input.args);
  const steps = runSteps();
  const name = steps.explicit ?? ACTIVITIES[input.activityType as ActivityName].step;
  const { retry } = input.options;
  const options = {
    ...input.options,
    // The Web UI shows it beside the activity type in the run's timeline: "enrichData • enrich step, server-b".
    summary: input.options.summary ?? `${name ? `${name} step` : 'undo'}, ${service}`,
    taskQueue: rules.perServiceQueues ? serviceTaskQueue(workflowInfo().taskQueue, service) : undefined,
    // Enough attempts that the last starts at least the outage limit after the first.
    retry: { ...retry, maximumAttempts: retry?.maximumAttempts ?? attemptsToRideOut(rules.outageLimitMs) },
  };
  // A call outside the plan (a workflow that plans no steps) is no step: tracking never fails a run.
  const step = name && !steps.explicit && steps.planned(name) ? steps.enter(name) : undefined;
  if (step) step.inFlight++;
  try {
    const result = await next({ ...input, options }).catch((error: unknown) => {
      throw outage(error, service, rules.outageLimitMs);
    });
    if (step && --step.inFlight === 0) steps.end(step, 'completed');
    if (input.activityType === 'enrichData' && rules.publishes) {
      // So runs can be found by what their data is about (client.ts list --category).
      upsertSearchAttributes([{ key: DATA_CATEGORY, value: (result as { category: string }).category }]);
    }
    return result;
  } catch (error) {
    if (step) step.inFlight--;
    throw step ? failStep(step, error) : error;
  }
}

/** The run's current details, which its page in the Web UI shows: no history event, no visibility write. */
function details({ status, steps }: Progress): string {
  const marks: Record<StepStatus, string> = { pending: '○', running: '▶', completed: '✓', failed: '✗', cancelled: '⊘' };
  const running = steps.filter((s) => s.status === 'running').map((s) => `**${s.step}**`);
  const headline = status !== 'running' ? `Run ${status}` : running.length > 0 ? `Running ${running.join(', ')}` : 'Between steps';
  return `${headline}\n\n${steps.map((s) => `${marks[s.status]} ${s.step}`).join(' · ')}`;
}

/** A call that used up its outage limit's attempts on outages fails with ServiceUnavailable; anything else
 *  (failures no retry fixes, cancellations, a bug in an activity) passes through. */
function outage(error: unknown, service: string, limitMs: number): unknown {
  if (!(error instanceof ActivityFailure) || error.retryState !== RetryState.MAXIMUM_ATTEMPTS_REACHED) return error;
  const cause = error.cause;
  const isOutage =
    cause instanceof TimeoutFailure ||
    (cause instanceof ApplicationFailure && (OUTAGE_FAILURE_TYPES.includes(cause.type ?? '') || cause.type === FailureType.circuitOpen));
  if (!isOutage) return error;
  const limit = limitMs % 60_000 === 0 ? `${limitMs / 60_000} min` : `${limitMs / 1000} s`;
  return ApplicationFailure.create({
    type: FailureType.serviceUnavailable,
    message: `${service} stayed unavailable for longer than the outage limit of ${limit}: ${cause?.message ?? error.message}`,
    nonRetryable: true,
    details: [{ service, outageLimitMs: limitMs, activityType: error.activityType }],
    cause: error,
  });
}

export const interceptors = (): WorkflowInterceptors => {
  const run: { rules?: RunRules } = {};
  return {
    inbound: [{ execute: (input, next) => execute(run, input, next) }],
    outbound: [{ scheduleActivity: (input, next) => scheduleActivity(run.rules, input, next) }],
  };
};
