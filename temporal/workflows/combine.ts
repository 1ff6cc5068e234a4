// Combining the step results is pure computation, so it runs in the workflow itself: no activity,
// no I/O, the same answer on every replay.
import type { EnrichResponse, ProcessExternalResponse, ProcessInternalResponse } from '../../shared/api.ts';
import type { MultiServerSummary, SimpleSummary } from './types.ts';

export function combineMultiServer(
  internal: ProcessInternalResponse,
  external: ProcessExternalResponse,
  enrichment: EnrichResponse,
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
