// The multi-server workflow: health checks of both servers, then validate and process on Server A,
// process and enrich on Server B, and combine. Each step is an activity (HTTP call) except combine.
import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { PingResponse, ServiceName } from '../../shared/api.ts';
import type { Activities } from '../activities.ts';
import { FailureType } from '../failure-types.ts';
import { activityOptions } from './activity-options.ts';
import { combineMultiServer } from './combine.ts';
import { StepTracker, progressQuery } from './step-tracker.ts';
import type { MultiServerResult, StepName, WorkflowInput } from './types.ts';
import { assertValid } from './validation.ts';

export async function multiServerWorkflow(input: WorkflowInput): Promise<MultiServerResult> {
  const plan: StepName[] = ['health-check', 'validate', 'process-internal', 'process-external', 'enrich'];
  if (input.thirdParty) plan.push('third-party');
  plan.push('combine');
  const steps = new StepTracker('multiServerWorkflow', plan);
  setHandler(progressQuery, () => steps.progress());

  const options = activityOptions(input.retry);
  const { checkHealth } = proxyActivities<Activities>(options.health);
  const serverA = proxyActivities<Activities>(options.serverA);
  const serverB = proxyActivities<Activities>(options.serverB);
  const { callThirdParty } = proxyActivities<Activities>(options.thirdParty);
  const { data, metadata } = input;

  const health = await steps.run('health-check', async () => {
    const [a, b] = await Promise.all([healthy('server-a', checkHealth), healthy('server-b', checkHealth)]);
    return { 'server-a': a, 'server-b': b };
  });
  const validation = await steps.run('validate', async () => {
    const verdict = await serverA.validateData({ data, metadata });
    assertValid(verdict);
    return verdict;
  });
  const internal = await steps.run('process-internal', () => serverA.processInternal({ data, metadata }));
  const external = await steps.run('process-external', () => serverB.processExternal({ data, contentHash: internal.contentHash }));
  const enrichment = await steps.run('enrich', () => serverB.enrichData({ data, reference: external.reference }));
  const thirdParty = input.thirdParty
    ? await steps.run('third-party', () => callThirdParty({ ...input.thirdParty, query: internal.normalized }))
    : null;
  const summary = await steps.run('combine', () => combineMultiServer(internal, external, enrichment, steps.elapsedMs()));
  steps.complete();

  return {
    workflow: 'multiServerWorkflow',
    input,
    health,
    validation,
    internal,
    external,
    enrichment,
    thirdParty,
    summary,
    timings: steps.timings(),
  };
}

/** A health check that ran out of attempts fails the workflow with a message naming the server. */
async function healthy(service: ServiceName, checkHealth: Activities['checkHealth']): Promise<PingResponse> {
  try {
    return await checkHealth(service);
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    throw ApplicationFailure.create({
      type: FailureType.healthCheckFailed,
      message: `${service} failed its health check: ${error.cause?.message ?? error.message}`,
      nonRetryable: true,
      cause: error,
    });
  }
}
