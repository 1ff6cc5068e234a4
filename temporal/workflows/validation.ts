// Turning Server A's verdict into the workflow's outcome. Invalid data must end the workflow with
// a non-retryable ApplicationFailure: a plain Error would fail the workflow *task* instead, which
// Temporal retries forever in the hope that a code fix arrives.
import { ApplicationFailure } from '@temporalio/workflow';
import type { ValidateResponse } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';

/** The verdict, when it says valid; otherwise the ValidationFailed failure that ends the run. */
export function assertValid(verdict: ValidateResponse): ValidateResponse {
  if (verdict.valid) return verdict;
  const reasons = verdict.errors.map((e) => e.message).join('; ');
  throw ApplicationFailure.create({
    type: FailureType.validationFailed,
    message: `Input rejected by server-a /validate: ${reasons}`,
    nonRetryable: true,
    details: [verdict.errors],
  });
}
