// Combining the step results is pure computation, so it runs in the workflow itself: no activity,
// no I/O, the same answer on every replay.
import type { ProcessExternalResponse, ProcessInternalResponse } from '../../shared/api.ts';
import type { Enrichment, FallbackEnrichment, MultiServerSummary, SimpleSummary } from './types.ts';

/**
 * The enrich step's documented fallback, taken when Server B's circuit breaker is open: nothing was analysed,
 * so no category ("uncategorized"), no score and no keywords, marked enrichedBy "fallback". Its time is
 * workflow time, so replays give the same value.
 */
export function fallbackEnrichment(reference: string): FallbackEnrichment {
  return { category: 'uncategorized', score: 0, keywords: [], reference, enrichedBy: 'fallback', enrichedAt: new Date().toISOString() };
}

export function combineMultiServer(
  internal: ProcessInternalResponse,
  external: ProcessExternalResponse,
  enrichment: Enrichment,
  totalDurationMs: number,
): MultiServerSummary {
  return {
    reference: external.reference,
    category: enrichment.category,
    score: enrichment.score,
    keywords: enrichment.keywords,
    wordCount: internal.wordCount,
    characterCount: internal.characterCount,
    contentHash: internal.contentHash,
    hashesMatch: external.contentHash === internal.contentHash,
    servers: ['server-a', 'server-b'],
    totalDurationMs,
  };
}

export function summarizeSimple(internal: ProcessInternalResponse, totalDurationMs: number): SimpleSummary {
  return {
    normalized: internal.normalized,
    wordCount: internal.wordCount,
    characterCount: internal.characterCount,
    contentHash: internal.contentHash,
    servers: ['server-a'],
    totalDurationMs,
  };
}
