// The Idempotency-Key of a saga step: the run (workflow id and run id) plus the step's name. It is the
// same on every retry of the step and different for every step and every run. The SDK's activity id is
// not used: it is a per-run sequence number, so it repeats across continue-as-new and reused workflow ids.
// A `temporal workflow reset` starts a new run, so the steps it re-runs get new keys and new effects.
import { Context } from '@temporalio/activity';

export function idempotencyKey(step: string): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('an idempotency key needs the activity to run inside a workflow');
  return `${execution.workflowId}/${execution.runId}/${step}`;
}
