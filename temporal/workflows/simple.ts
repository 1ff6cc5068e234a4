// The single-server workflow: validate and process on Server A only.
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities.ts';
import { activityOptions } from './activity-options.ts';
import { summarizeSimple } from './combine.ts';
import { StepTracker, progressQuery } from './step-tracker.ts';
import type { SimpleResult, WorkflowInput } from './types.ts';
import { assertValid } from './validation.ts';

export async function simpleWorkflow(input: WorkflowInput): Promise<SimpleResult> {
  const steps = new StepTracker('simpleWorkflow', ['validate', 'process-internal']);
  setHandler(progressQuery, () => steps.progress());
  const serverA = proxyActivities<Activities>(activityOptions(input.retry).serverA);
  const { data, metadata } = input;

  const validation = await steps.run('validate', async () => {
    const verdict = await serverA.validateData({ data, metadata });
    assertValid(verdict);
    return verdict;
  });
  const internal = await steps.run('process-internal', () => serverA.processInternal({ data, metadata }));
  steps.complete();

  return {
    workflow: 'simpleWorkflow',
    input,
    validation,
    internal,
    summary: summarizeSimple(internal, steps.elapsedMs()),
    timings: steps.timings(),
  };
}
