// How a run that closed without a result failed: its category, the failure the workflow chose to end with, and the step it stopped at.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { ACTIVITIES, type ActivityName } from '../activities/types.ts';
import { causeChain } from '../failure-chain.ts';
import { FailureType } from '../failure-types.ts';
import type { BatchProgress } from '../workflows/batch.ts';
import type { Progress, StepName } from '../workflows/steps.ts';
import type { RunFailure } from './contract.ts';

/** Refusals by the data, the input or a person: retrying the same input would be refused the same way. */
const BUSINESS: ReadonlySet<string> = new Set([FailureType.validationFailed, FailureType.invalidInput, FailureType.reviewRejected]);

const CANCELLED = 'Cancelled';

/** One link of a failure chain, as plain data (the CLI prints them with --json). */
export type FailureLink = ReturnType<typeof failureLinks>[number];

/** `error`'s cause chain as plain data, outermost first. */
export function failureLinks(error: unknown) {
  return causeChain(error).map((e) => {
    const { message } = e;
    if (e instanceof ApplicationFailure) {
      return { kind: 'ApplicationFailure', type: e.type ?? 'Error', message, nonRetryable: e.nonRetryable === true, details: e.details ?? [] };
    }
    if (e instanceof ActivityFailure) return { kind: 'ActivityFailure', message, activityType: e.activityType, retryState: e.retryState };
    if (e instanceof TimeoutFailure) return { kind: 'TimeoutFailure', message, timeoutType: e.timeoutType };
    // CancelledFailure, TerminatedFailure and any other error: its name.
    return { kind: e.name, message };
  });
}

/** A run's failure type for a link that is not an application failure (which has its own type). */
const FAILURE_TYPE: Record<string, string> = { CancelledFailure: CANCELLED, TerminatedFailure: 'Terminated', TimeoutFailure: 'TimedOut' };

/** `error`: the cause of the run's WorkflowFailedError; `progress`: the run's own record of its steps, if a worker answered;
 *  `currentStep`: the run's CurrentStep search attribute, which the server keeps without a worker. */
export function runFailure(error: unknown, progress: Progress | BatchProgress | null, currentStep?: string): RunFailure {
  // An activity's failure wraps what went wrong in it: the run failed with the outermost link that is not one.
  const outer = failureLinks(error).find((link) => link.kind !== 'ActivityFailure');
  const type = outer ? (outer.type ?? FAILURE_TYPE[outer.kind] ?? outer.kind) : 'Error';
  const category = type === CANCELLED ? 'cancelled' : BUSINESS.has(type) ? 'business' : 'technical';
  // The run's progress knows the step even when the chain names no activity (a cancellation, a rule of the workflow's own).
  const stopped = progress && 'steps' in progress ? progress.steps.find((s) => s.status === 'failed' || s.status === 'cancelled')?.step : undefined;
  const step = stopped ?? failedStep(error) ?? (currentStep as StepName | undefined) ?? null;
  return { category, type, message: outer?.message ?? String(error), step, details: outer?.details ?? [] };
}

/** The step a failure chain names: the activity that gave up, or validation for Server A's refusal; null when none does. */
export function failedStep(error: unknown): StepName | null {
  for (const e of causeChain(error)) {
    if (e instanceof ApplicationFailure && e.type === FailureType.validationFailed) return 'validate';
    const step = e instanceof ActivityFailure ? ACTIVITIES[e.activityType as ActivityName]?.step : undefined;
    if (step) return step;
  }
  return null;
}
