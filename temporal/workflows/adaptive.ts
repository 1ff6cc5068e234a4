// The adaptive workflow: every run validates (Server A) and enriches (Server B); the enrichment's category and
// the steps' results add steps (adaptive-plan.ts). A loop runs the next planned step until none is left.
import { proxyActivities } from '@temporalio/workflow';
import type { ProcessInternalResponse, ValidateResponse } from '../../server-a/contract.ts';
import type { EnrichResponse, ProcessExternalResponse, ThirdPartyResponse } from '../../server-b/contract.ts';
import type { ServerAActivities, ServerBActivities } from '../activities/types.ts';
import { assertValid } from '../failure-types.ts';
import { SERVICE_CALL, THIRD_PARTY } from './activity-options.ts';
import { type AdaptiveStep, afterEnrich, afterProcessInternal, FIRST_STEPS, type PlannedStep, unplanned } from './adaptive-plan.ts';
import { parseInput, WorkflowInput } from './input.ts';
import { addStep, elapsedMs, step, timings } from './steps.ts';

const { validateData, processInternal } = proxyActivities<ServerAActivities>(SERVICE_CALL);
const { processExternal, enrichData } = proxyActivities<ServerBActivities>(SERVICE_CALL);
const { callThirdParty } = proxyActivities<ServerBActivities>(THIRD_PARTY);

/** The results so far: validate and enrich fill theirs first, the other steps only when planned (null when not). */
interface StepResults {
  validation?: ValidateResponse;
  enrichment?: EnrichResponse;
  internal: ProcessInternalResponse | null;
  external: ProcessExternalResponse | null;
  thirdParty: ThirdPartyResponse | null;
  /** Server A's processing of the enrichment's keywords: a short form of a long text, and its hash. */
  digest: ProcessInternalResponse | null;
}

export async function adaptiveWorkflow(raw: WorkflowInput) {
  const input = parseInput(WorkflowInput, raw, 'adaptiveWorkflow');
  const plan: PlannedStep[] = [];
  const decide = (added: readonly PlannedStep[]) => {
    for (const next of unplanned(plan, added)) {
      plan.push(next);
      addStep(next.step);
    }
  };
  decide(FIRST_STEPS);
  const { data, metadata } = input;

  const r: StepResults = { internal: null, external: null, thirdParty: null, digest: null };
  // Each step makes its call, keeps the result, and returns the steps that result adds. Enrich runs
  // before any step it adds, so the steps after it may rely on its result.
  const run: Record<AdaptiveStep, () => Promise<readonly PlannedStep[]>> = {
    validate: async () => {
      r.validation = assertValid(await validateData({ data, metadata }));
      return [];
    },
    enrich: async () => {
      r.enrichment = await enrichData({ data });
      return afterEnrich(r.enrichment);
    },
    'process-internal': async () => {
      r.internal = await processInternal({ data, metadata });
      return afterProcessInternal(r.internal, r.enrichment!);
    },
    'process-external': async () => {
      r.external = await processExternal({ data, contentHash: r.internal?.contentHash });
      return [];
    },
    'third-party': async () => {
      r.thirdParty = await callThirdParty({ query: data });
      return [];
    },
    digest: async () => {
      r.digest = await step('digest', () => processInternal({ data: r.enrichment!.keywords.join(' ') }));
      return [];
    },
  };

  // The plan grows while the loop walks it: each step's result may append steps behind the last one.
  for (let next = 0; next < plan.length; next++) {
    decide(await run[plan[next]!.step]());
  }

  const { validation, enrichment, ...rest } = r;
  return {
    workflow: 'adaptiveWorkflow' as const,
    input,
    // Every step that ran, in the order it ran (and was planned).
    plan,
    validation: validation!,
    enrichment: enrichment!,
    ...rest,
    totalDurationMs: elapsedMs(),
    timings: timings(),
  };
}

export type AdaptiveResult = Awaited<ReturnType<typeof adaptiveWorkflow>>;
