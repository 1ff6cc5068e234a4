// The multi-server workflow: validate on Server A (first, so bad data is reported whatever state Server B is in),
// health-check both servers, process on A, process and enrich on B, optionally ask B's third party, combine.
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { type Category, type EnrichResponse, ThirdPartyRequest } from '../../server-b/contract.ts';
import type { ServiceName } from '../../shared/contract.ts';
import type { HealthActivities, ServerAActivities, ServerBActivities } from '../activities/types.ts';
import { assertValid, circuitOpenCause } from '../failure-types.ts';
import { ENRICH, HEALTH_CHECK, SERVICE_CALL, THIRD_PARTY } from './activity-options.ts';
import { parseInput, WorkflowInput } from './input.ts';
import { elapsedMs, plan, step, type StepName, timings } from './steps.ts';

const { checkHealth } = proxyActivities<HealthActivities>(HEALTH_CHECK);
const { validateData, processInternal } = proxyActivities<ServerAActivities>(SERVICE_CALL);
const { processExternal } = proxyActivities<ServerBActivities>(SERVICE_CALL);
const { enrichData } = proxyActivities<ServerBActivities>(ENRICH);
const { callThirdParty } = proxyActivities<ServerBActivities>(THIRD_PARTY);

export const MultiServerInput = WorkflowInput.extend({
  thirdParty: z
    .strictObject(ThirdPartyRequest.omit({ query: true }).shape)
    .optional()
    .meta({ description: "When given, the run also calls Server B's simulated third party, with these settings." }),
});
export type MultiServerInput = z.infer<typeof MultiServerInput>;

/** What enrich gives while Server B's circuit breaker is open: a documented default, not an analysis. */
interface FallbackEnrichment extends Omit<EnrichResponse, 'category' | 'enrichedBy'> {
  category: 'uncategorized';
  enrichedBy: 'fallback';
}
type Enrichment = EnrichResponse | FallbackEnrichment;

/** A step that took its documented fallback instead of its service's answer, and why (the CircuitOpen message). */
interface StepFallback {
  step: StepName;
  service: ServiceName;
  reason: string;
}

export async function multiServerWorkflow(raw: MultiServerInput) {
  const input = parseInput(MultiServerInput, raw, 'multiServerWorkflow');
  const { data, metadata } = input;
  plan('validate', 'health-check', 'process-internal', 'process-external', 'enrich', ...(input.thirdParty ? ['third-party' as const] : []), 'combine');

  const validation = assertValid(await validateData({ data, metadata }));
  const [pingA, pingB] = await Promise.all([checkHealth('server-a'), checkHealth('server-b')]);
  const internal = await processInternal({ data, metadata });
  const external = await processExternal({ data, contentHash: internal.contentHash });

  // The one step with a fallback (see ENRICH): while Server B's breaker is open, the run completes degraded.
  const fallbacks: StepFallback[] = [];
  const enrichment = await step('enrich', async (): Promise<Enrichment> => {
    try {
      return await enrichData({ data, reference: external.reference });
    } catch (error) {
      const circuitOpen = circuitOpenCause(error);
      if (!circuitOpen) throw error;
      fallbacks.push({ step: 'enrich', service: 'server-b', reason: circuitOpen.message });
      // Workflow time, so a replay gives the same value.
      return { category: 'uncategorized', score: 0, keywords: [], reference: external.reference, enrichedBy: 'fallback', enrichedAt: new Date().toISOString() };
    }
  });

  const thirdParty = input.thirdParty ? await callThirdParty({ ...input.thirdParty, query: internal.normalized }) : null;
  // Pure computation, so it runs in the workflow itself: no activity, the same answer on every replay.
  const summary = await step('combine', () => ({
    reference: external.reference,
    category: enrichment.category satisfies Category | 'uncategorized',
    score: enrichment.score,
    keywords: enrichment.keywords,
    wordCount: internal.wordCount,
    characterCount: internal.characterCount,
    contentHash: internal.contentHash,
    // Server B echoed the hash Server A computed: both worked on the same content.
    hashesMatch: external.contentHash === internal.contentHash,
    servers: ['server-a', 'server-b'] satisfies ServiceName[],
    totalDurationMs: elapsedMs(),
  }));
  return {
    workflow: 'multiServerWorkflow' as const,
    input,
    health: { 'server-a': pingA, 'server-b': pingB },
    validation,
    internal,
    external,
    enrichment,
    thirdParty,
    summary,
    timings: timings(),
    // The run completed, but some step took its fallback (see fallbacks) instead of its service's answer.
    degraded: fallbacks.length > 0,
    fallbacks,
  };
}

export type MultiServerResult = Awaited<ReturnType<typeof multiServerWorkflow>>;
