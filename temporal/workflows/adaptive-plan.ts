// The adaptive workflow's rules: which steps a finished step's result adds to the plan. Pure functions of
// activity results, so a replay grows the same plan (docs/batches-schedules-adaptive.md tabulates them). A change
// changes what open runs schedule next: put it behind takesPatch() (patches.ts), or replay of those runs breaks.
import type { ProcessInternalResponse } from '../../server-a/contract.ts';
import type { Category, EnrichResponse } from '../../server-b/contract.ts';
import type { StepName } from './steps.ts';

export type AdaptiveStep = Extract<StepName, 'validate' | 'enrich' | 'process-internal' | 'process-external' | 'third-party' | 'digest'>;

/** One step of an adaptive run's plan, and the decision that put it there. */
export interface PlannedStep {
  step: AdaptiveStep;
  /** Why it was planned, in words: "every run", "category commerce", "24 words (20+)". */
  reason: string;
}

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

/** From this many words a text also gets a digest: where the enrichment's length score is full (`enrich` in server-b/app.ts). */
export const LONG_TEXT_WORDS = 20;

export function afterEnrich(enrichment: EnrichResponse): PlannedStep[] {
  return CATEGORY_STEPS[enrichment.category].map((step) => ({ step, reason: `category ${enrichment.category}` }));
}

/** A long text gets a digest of its keywords (none to digest when it has none). */
export function afterProcessInternal(internal: ProcessInternalResponse, enrichment: EnrichResponse): PlannedStep[] {
  if (internal.wordCount < LONG_TEXT_WORDS || enrichment.keywords.length === 0) return [];
  return [{ step: 'digest', reason: `${internal.wordCount} words (${LONG_TEXT_WORDS}+)` }];
}

/** The steps of `added` that are not planned yet. This is the plan's safety cap: a step is planned at most
 *  once (progress and the CLI know steps by name), so no rule can make the loop run more than six steps. */
export function unplanned(plan: readonly PlannedStep[], added: readonly PlannedStep[]): PlannedStep[] {
  return added.filter((a, i) => !plan.some((p) => p.step === a.step) && added.findIndex((b) => b.step === a.step) === i);
}
