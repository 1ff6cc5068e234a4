// The multi-server workflow: validate the data on Server A, health-check both servers, process on
// Server A, process and enrich on Server B, optionally call B's third party, and combine. Each step is
// an activity (one HTTP call) except combine. Validation comes first, so invalid data is reported at
// once whatever state Server B is in; the health check then gates everything that does real work.
// Enrich is the one step with a fallback: while the worker's circuit breaker for Server B is open, a default
// enrichment, and the run completes degraded. Every other step keeps the outage rule.
import { proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityOptions } from './activity-options.ts';
import { combineMultiServer, fallbackEnrichment } from './combine.ts';
import { outageLimitMs, parseInput } from './input.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { DATA_CATEGORY } from './search-attributes.ts';
import { progressQuery } from './messages.ts';
import { orFallback, rideOut } from './outage.ts';
import { StepTracker } from './step-tracker.ts';
import type { MultiServerInput, MultiServerResult, StepFallback, StepName } from './types.ts';
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
  const { checkHealth: checkHealthA } = proxyActivities<Activities>(options.health['server-a']);
  const { checkHealth: checkHealthB } = proxyActivities<Activities>(options.health['server-b']);
  const { validateData, processInternal } = proxyActivities<Activities>(options.serverA);
  const { processExternal } = proxyActivities<Activities>(options.serverB);
  const { enrichData } = proxyActivities<Activities>(options.enrich);
  const { callThirdParty } = proxyActivities<Activities>(options.thirdParty);
  const { data, metadata } = input;

  const validation = await steps.run('validate', async () => assertValid(await rideOut('server-a', limit, () => validateData({ data, metadata }))));
  const health = await steps.run('health-check', async () => {
    const [a, b] = await Promise.all([rideOut('server-a', limit, () => checkHealthA('server-a')), rideOut('server-b', limit, () => checkHealthB('server-b'))]);
    return { 'server-a': a, 'server-b': b };
  });
  const internal = await steps.run('process-internal', () => rideOut('server-a', limit, () => processInternal({ data, metadata })));
  const external = await steps.run('process-external', () => rideOut('server-b', limit, () => processExternal({ data, contentHash: internal.contentHash })));
  const fallbacks: StepFallback[] = [];
  const enrichment = await steps.run('enrich', () =>
    orFallback(
      () => rideOut('server-b', limit, () => enrichData({ data, reference: external.reference })),
      (circuitOpen) => {
        fallbacks.push({ step: 'enrich', service: 'server-b', reason: circuitOpen.message });
        return fallbackEnrichment(external.reference);
      },
    ),
  );
  // So runs can be found by what the data is about (client.ts list --category). A fallback knows nothing about
  // it and sets none, so a category found always comes from Server B; degraded runs are the ones without one.
  if (takesPatch(PATCHES.searchAttributes) && enrichment.enrichedBy === 'server-b') {
    upsertSearchAttributes([{ key: DATA_CATEGORY, value: enrichment.category }]);
  }
  const { thirdParty: thirdPartyOptions } = input;
  const thirdParty = thirdPartyOptions
    ? await steps.run('third-party', () => rideOut('server-b', limit, () => callThirdParty({ ...thirdPartyOptions, query: internal.normalized })))
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
    degraded: fallbacks.length > 0,
    fallbacks,
  };
}
