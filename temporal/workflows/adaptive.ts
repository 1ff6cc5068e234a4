// The adaptive workflow: its plan comes from the data. Every run validates (Server A) and enriches
// (Server B); the enrichment's category adds steps, and a step's result may add more (adaptive-plan.ts).
// A loop runs the next planned step until none is left; a decided step shows in the progress query as
// pending at once. Decisions read only the input and activity results, which the history records, so a
// replay grows the same plan. A new workflow type: no run predates it, so it needs no patched().
import { proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityOptions } from './activity-options.ts';
import { afterEnrich, afterProcessInternal, FIRST_STEPS, unplanned } from './adaptive-plan.ts';
import { outageLimitMs, parseInput } from './input.ts';
import { progressQuery } from './messages.ts';
import { rideOut } from './outage.ts';
import { DATA_CATEGORY } from './search-attributes.ts';
import { StepTracker } from './step-tracker.ts';
import type { AdaptiveResult, AdaptiveStep, PlannedStep, WorkflowInput } from './types.ts';
import { assertValid } from './validation.ts';

/** The results so far: validate and enrich fill theirs first, the other steps only when planned. */
type StepResults = Pick<AdaptiveResult, 'internal' | 'external' | 'thirdParty' | 'digest'> & Partial<Pick<AdaptiveResult, 'validation' | 'enrichment'>>;

export async function adaptiveWorkflow(raw: WorkflowInput): Promise<AdaptiveResult> {
  const steps = new StepTracker('adaptiveWorkflow');
  setHandler(progressQuery, () => steps.progress());
  const input: WorkflowInput = steps.guard(() => parseInput(raw, 'adaptiveWorkflow'));
  const plan: PlannedStep[] = [];
  const decide = (added: readonly PlannedStep[]) => {
    for (const next of unplanned(plan, added)) {
      plan.push(next);
      steps.append(next.step);
    }
  };
  decide(FIRST_STEPS);

  const limit = outageLimitMs(input);
  const options = activityOptions(limit);
  const { validateData, processInternal } = proxyActivities<Activities>(options.serverA);
  const { processExternal, enrichData } = proxyActivities<Activities>(options.serverB);
  const { callThirdParty } = proxyActivities<Activities>(options.thirdParty);
  const onA = <T>(call: () => Promise<T>) => rideOut('server-a', limit, call);
  const onB = <T>(call: () => Promise<T>) => rideOut('server-b', limit, call);
  const { data, metadata } = input;

  const r: StepResults = { internal: null, external: null, thirdParty: null, digest: null };
  // Each step makes its call, keeps the result, and returns the steps that result adds. Enrich runs
  // before any step it adds, so the steps after it may rely on its result.
  const run: Record<AdaptiveStep, () => Promise<readonly PlannedStep[]>> = {
    validate: async () => {
      r.validation = assertValid(await onA(() => validateData({ data, metadata })));
      return [];
    },
    enrich: async () => {
      const enrichment = await onB(() => enrichData({ data }));
      r.enrichment = enrichment;
      // So runs can be found by what the data is about (client.ts list --category).
      upsertSearchAttributes([{ key: DATA_CATEGORY, value: enrichment.category }]);
      return afterEnrich(enrichment);
    },
    'process-internal': async () => {
      const internal = await onA(() => processInternal({ data, metadata }));
      r.internal = internal;
      return afterProcessInternal(internal, r.enrichment!);
    },
    'process-external': async () => {
      r.external = await onB(() => processExternal({ data, contentHash: r.internal?.contentHash }));
      return [];
    },
    'third-party': async () => {
      r.thirdParty = await onB(() => callThirdParty({ query: data }));
      return [];
    },
    digest: async () => {
      r.digest = await onA(() => processInternal({ data: r.enrichment!.keywords.join(' ') }));
      return [];
    },
  };

  // The plan grows while the loop walks it: each step's result may append steps behind the last one.
  for (let next = 0; next < plan.length; next++) {
    const { step } = plan[next]!;
    decide(await steps.run(step, run[step]));
  }
  steps.complete();

  const { validation, enrichment, ...rest } = r;
  return {
    workflow: 'adaptiveWorkflow',
    input,
    plan,
    validation: validation!,
    enrichment: enrichment!,
    ...rest,
    totalDurationMs: steps.elapsedMs(),
    timings: steps.timings(),
  };
}
