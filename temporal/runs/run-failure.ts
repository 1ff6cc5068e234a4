// How a run that closed without a result failed: its category (contract.ts says what each means), the
// failure's type and message, and the step it stopped at. The type is the outermost application failure
// of the cause chain: the one the workflow chose to end with (ServiceUnavailable, not the attempt's
// ServiceUnreachable underneath it).
import { ActivityFailure, ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import type { ActivityName } from '../activities/types.ts';
import { causeChain } from '../failure-chain.ts';
import { FailureType } from '../failure-types.ts';
import type { BatchProgress } from '../workflows/batch.ts';
import { ACTIVITY_STEP } from '../workflows/steps.ts';
import type { Progress, StepName } from '../workflows/steps.ts';
import type { RunFailure } from './contract.ts';

/** Refusals by the data, the input or a person: retrying the same input would be refused the same way. */
const BUSINESS: ReadonlySet<string> = new Set([FailureType.validationFailed, FailureType.invalidInput, FailureType.reviewRejected]);

const CANCELLED = 'Cancelled';

/**
 * `error`: the cause of the run's WorkflowFailedError; `progress`: the run's own record of its steps, if a worker
 * answered; `currentStep`: the run's CurrentStep search attribute, which the server keeps without a worker.
 */
export function runFailure(error: unknown, progress: Progress | BatchProgress | null, currentStep?: string): RunFailure {
  const { type, message, details } = outermost(error);
  const category = type === CANCELLED ? 'cancelled' : BUSINESS.has(type) ? 'business' : 'technical';
  // The run's progress knows the step even when the chain names no activity (a cancellation, a rule of the workflow's own).
  const stopped = progress && 'steps' in progress ? progress.steps.find((s) => s.status === 'failed' || s.status === 'cancelled')?.step : undefined;
  return { category, type, message, step: stopped ?? failedStep(error) ?? (currentStep as StepName | undefined) ?? null, details };
}

/** The step a failure chain names: the activity that gave up, or validation for Server A's refusal; null when none does. */
export function failedStep(error: unknown): StepName | null {
  for (const e of causeChain(error)) {
    if (e instanceof ApplicationFailure && e.type === FailureType.validationFailed) return 'validate';
    const step = e instanceof ActivityFailure ? ACTIVITY_STEP[e.activityType as ActivityName] : undefined;
    if (step) return step;
  }
  return null;
}

function outermost(error: unknown): Pick<RunFailure, 'type' | 'message' | 'details'> {
  for (const e of causeChain(error)) {
    if (e instanceof ApplicationFailure) return { type: e.type ?? 'Error', message: e.message, details: e.details ? [...e.details] : [] };
    if (e instanceof CancelledFailure) return { type: CANCELLED, message: e.message, details: [] };
    if (e instanceof TerminatedFailure) return { type: 'Terminated', message: e.message, details: [] };
    if (e instanceof TimeoutFailure) return { type: 'TimedOut', message: e.message, details: [] };
    // An activity's failure wraps what went wrong in it: look inside.
    if (!(e instanceof ActivityFailure)) return { type: e.name, message: e.message, details: [] };
  }
  return { type: 'Error', message: String(error), details: [] };
}
