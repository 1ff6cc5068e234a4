// The single-server workflow: validate and process on Server A only.
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityOptions } from './activity-options.ts';
import { summarizeSimple } from './combine.ts';
import { outageLimitMs, parseInput } from './input.ts';
import { progressQuery } from './messages.ts';
import { rideOut } from './outage.ts';
import { StepTracker } from './step-tracker.ts';
import type { SimpleResult, WorkflowInput } from './types.ts';
import { assertValid } from './validation.ts';

export async function simpleWorkflow(raw: WorkflowInput): Promise<SimpleResult> {
  const steps = new StepTracker('simpleWorkflow');
  setHandler(progressQuery, () => steps.progress());
  const input: WorkflowInput = steps.guard(() => parseInput(raw, 'simpleWorkflow'));
  steps.plan(['validate', 'process-internal']);

  const limit = outageLimitMs(input);
  const { validateData, processInternal } = proxyActivities<Activities>(activityOptions(limit).serverA);
  const { data, metadata } = input;

  const validation = await steps.run('validate', async () => assertValid(await rideOut('server-a', limit, () => validateData({ data, metadata }))));
  const internal = await steps.run('process-internal', () => rideOut('server-a', limit, () => processInternal({ data, metadata })));
  steps.complete();

  return { workflow: 'simpleWorkflow', input, validation, internal, summary: summarizeSimple(internal, steps.elapsedMs()), timings: steps.timings() };
}
