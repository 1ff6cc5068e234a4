// The multi-server workflow: validate the data on Server A, health-check both servers, process on
// Server A, process and enrich on Server B, optionally call B's third party, and combine. Each step is
// an activity (one HTTP call) except combine. Validation comes first, so invalid data is reported at
// once whatever state Server B is in; the health check then gates everything that does real work.
import { proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityOptions } from './activity-options.ts';
import { combineMultiServer } from './combine.ts';
import { outageLimitMs, parseInput } from './input.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { DATA_CATEGORY } from './search-attributes.ts';
import { progressQuery } from './messages.ts';
import { rideOut } from './outage.ts';
import { StepTracker } from './step-tracker.ts';
import type { MultiServerInput, MultiServerResult, StepName } from './types.ts';
import { assertValid } from './validation.ts';

export async function multiServerWorkflow(raw: MultiServerInput): Promise<MultiServerResult> {
  const steps = new StepTracker('multiServerWorkflow');
  setHandler(progressQuery, () => steps.progress());
  const input = steps.guard(() => parseInput(raw, 'multiServerWorkflow'));
  const plan: StepName[] = ['validate', 'health-check', 'process-internal', 'process-external', 'enrich'];
  if (input.thirdParty) plan.push('third-party');
  steps.plan([...plan, 'combine']);

  const limit = outageLimitMs(input);
  const options = activityOptions(limit);
  const { checkHealth } = proxyActivities<Activities>(options.health);
  const { validateData, processInternal } = proxyActivities<Activities>(options.serverA);
  const { processExternal, enrichData } = proxyActivities<Activities>(options.serverB);
  const { callThirdParty } = proxyActivities<Activities>(options.thirdParty);
  const { data, metadata } = input;

  const validation = await steps.run('validate', async () => assertValid(await rideOut('server-a', limit, () => validateData({ data, metadata }))));
  const health = await steps.run('health-check', async () => {
    const [a, b] = await Promise.all([rideOut('server-a', limit, () => checkHealth('server-a')), rideOut('server-b', limit, () => checkHealth('server-b'))]);
    return { 'server-a': a, 'server-b': b };
  });
  const internal = await steps.run('process-internal', () => rideOut('server-a', limit, () => processInternal({ data, metadata })));
  const external = await steps.run('process-external', () => rideOut('server-b', limit, () => processExternal({ data, contentHash: internal.contentHash })));
  const enrichment = await steps.run('enrich', () => rideOut('server-b', limit, () => enrichData({ data, reference: external.reference })));
  // So runs can be found by what the data is about (client.ts list --category).
  if (takesPatch(PATCHES.searchAttributes)) upsertSearchAttributes([{ key: DATA_CATEGORY, value: enrichment.category }]);
  const { thirdParty: thirdPartyOptions } = input;
  const thirdParty = thirdPartyOptions
    ? await steps.run('third-party', () => rideOut('server-b', limit, () => callThirdParty({ ...thirdPartyOptions, query: internal.normalized })))
    : null;
  const summary = await steps.run('combine', () => combineMultiServer(internal, external, enrichment, steps.elapsedMs()));
  steps.complete();

  return { workflow: 'multiServerWorkflow', input, health, validation, internal, external, enrichment, thirdParty, summary, timings: steps.timings() };
}
