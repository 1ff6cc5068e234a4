// The adaptive workflow's rules: which steps a finished step's result adds to the run's plan. Pure
// functions of activity results (recorded in the history), never of the clock or chance, so a replay
// grows the same plan. The README's table of plans is this file, in words. A change to these rules changes
// what open runs schedule next: put it behind takesPatch() (patches.ts), or replay of those runs breaks.
import type { Category, EnrichResponse, ProcessInternalResponse } from '../../shared/api.ts';
import type { AdaptiveStep, PlannedStep } from './types.ts';

/** Every run starts with these: whether the data is valid (Server A), then what it is about (Server B). */
export const FIRST_STEPS: readonly PlannedStep[] = [
  { step: 'validate', reason: 'every run' },
  { step: 'enrich', reason: 'every run' },
];

/** What the enrichment's category adds. */
export const CATEGORY_STEPS: Record<Category, AdaptiveStep[]> = {
  // Nothing to process in a greeting.
  greeting: [],
  // An order is processed on both servers; Server B echoes Server A's content hash, tying the two together.
  commerce: ['process-internal', 'process-external'],
  // An incident is processed, and looked up with the third-party provider.
  incident: ['process-internal', 'third-party'],
  // A question is put to the third-party provider as it is.
  question: ['third-party'],
  general: ['process-internal'],
};

/** From this many words a text also gets a digest: where the enrichment's length score is full (server-b/enrich.ts). */
export const LONG_TEXT_WORDS = 20;

export function afterEnrich(enrichment: EnrichResponse): PlannedStep[] {
  return CATEGORY_STEPS[enrichment.category].map((step) => ({ step, reason: `category ${enrichment.category}` }));
}

/** A long text gets a digest of its keywords (none to digest when it has none). */
export function afterProcessInternal(internal: ProcessInternalResponse, enrichment: EnrichResponse): PlannedStep[] {
  if (internal.wordCount < LONG_TEXT_WORDS || enrichment.keywords.length === 0) return [];
  return [{ step: 'digest', reason: `${internal.wordCount} words (${LONG_TEXT_WORDS}+)` }];
}

/**
 * The steps of `added` that are not planned yet. This is the plan's safety cap: a step is planned at most
 * once (progress and the CLI know steps by name), so no rule can make the loop run more than six steps.
 */
export function unplanned(plan: readonly PlannedStep[], added: readonly PlannedStep[]): PlannedStep[] {
  return added.filter((a, i) => !plan.some((p) => p.step === a.step) && added.findIndex((b) => b.step === a.step) === i);
}
