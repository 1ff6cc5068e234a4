// How a closed run's failure is told (temporal/runs/run-failure.ts), without a server: the category, and the
// step it stopped at even when no worker answered the progress query in time.
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { expect, test } from 'vitest';
import { runFailure } from '../temporal/runs/run-failure.ts';
import type { Progress } from '../temporal/workflows/steps.ts';

test('a cancellation with no progress answer takes its step from the CurrentStep search attribute', () => {
  expect(runFailure(new CancelledFailure('Workflow canceled'), null, 'review')).toEqual({
    category: 'cancelled',
    type: 'Cancelled',
    message: 'Workflow canceled',
    step: 'review',
    details: [],
  });
});

test("the run's own progress wins over the search attribute, and business and technical failures are told apart", () => {
  const progress: Progress = {
    workflow: 'multiServerWorkflow',
    status: 'failed',
    currentStep: null,
    completedSteps: [],
    steps: [{ step: 'validate', status: 'failed', durationMs: 3 }],
    compensations: [],
  };
  const business = ApplicationFailure.create({ type: 'ValidationFailed', message: 'no', nonRetryable: true });
  expect(runFailure(business, progress, 'enrich')).toMatchObject({ category: 'business', step: 'validate' });
  const technical = ApplicationFailure.create({ type: 'ServiceUnavailable', message: 'down', nonRetryable: true });
  expect(runFailure(technical, null, 'enrich')).toMatchObject({ category: 'technical', step: 'enrich' });
});

test('with neither, the step is the activity that gave up, found however deep the chain wraps it', () => {
  const down = ApplicationFailure.create({ type: 'ServiceUnreachable', message: 'connect ECONNREFUSED' });
  const gaveUp = new ActivityFailure('activity failed', 'enrichData', '3', RetryState.MAXIMUM_ATTEMPTS_REACHED, undefined, down);
  const outage = ApplicationFailure.create({ type: 'ServiceUnavailable', message: 'server-b stayed unavailable', nonRetryable: true, cause: gaveUp });
  expect(runFailure(outage, null)).toEqual({
    category: 'technical',
    type: 'ServiceUnavailable',
    message: 'server-b stayed unavailable',
    step: 'enrich',
    details: [],
  });
});
