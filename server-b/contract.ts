// Server B's HTTP contract, as zod schemas: each name is the schema and its inferred type. The service
// checks requests with them, the activities (and the workflows' input) check with them. Imports only
// zod and the shared contract, so workflow code may import it.
import { z } from 'zod';
import { numberFrom, queryParam, rule, wholeNumber } from '../shared/contract.ts';

/** Upper bound on a requested simulated latency of the third party (below the activity's HTTP timeout). */
export const MAX_THIRD_PARTY_LATENCY_MS = 20_000;

export const ProcessExternalRequest = z.object({
  data: z.string(),
  contentHash: z.string().optional().meta({ description: "Server A's content hash, echoed so the two results can be matched." }),
});
export type ProcessExternalRequest = z.infer<typeof ProcessExternalRequest>;
export const ProcessExternalResponse = z.object({
  reference: z.string().meta({ description: 'Derived from the data alone, so a retried call yields the same reference.' }),
  uniqueWords: z.array(z.string()).meta({ description: 'Distinct lower-case words, alphabetical, at most 20.' }),
  uniqueWordCount: z.number(),
  contentHash: z.string().nullable(),
  processedBy: z.literal('server-b'),
  processedAt: z.string(),
});
export type ProcessExternalResponse = z.infer<typeof ProcessExternalResponse>;

export const Category = z.enum(['greeting', 'commerce', 'incident', 'question', 'general']);
export type Category = z.infer<typeof Category>;
export const EnrichRequest = z.object({ data: z.string(), reference: z.string().optional() });
export type EnrichRequest = z.infer<typeof EnrichRequest>;
export const EnrichResponse = z.object({
  category: Category,
  score: z.number().meta({ description: '0 to 100: half lexical diversity, half length (saturating at 20 words).' }),
  keywords: z.array(z.string()).meta({ description: 'Up to 5 words of 4+ letters, most frequent first, ties alphabetical.' }),
  reference: z.string().nullable(),
  enrichedBy: z.literal('server-b'),
  enrichedAt: z.string(),
});
export type EnrichResponse = z.infer<typeof EnrichResponse>;

export const ThirdPartyRequest = z.object({
  query: z.string(),
  latencyMs: wholeNumber(0, MAX_THIRD_PARTY_LATENCY_MS).optional().meta({ description: 'Overrides THIRD_PARTY_LATENCY_MS for this call.' }),
  failureRate: numberFrom(0, 1).optional().meta({ description: 'Overrides THIRD_PARTY_FAILURE_RATE for this call: 0 never fails, 1 always fails.' }),
  failureStatus: z.literal([429, 503], rule('must be one of 429, 503')).optional().meta({ description: 'Which failure to simulate.' }),
  retryAfterSeconds: wholeNumber(0, 3_600).optional().meta({ description: 'Retry-After of a simulated failure: at most an hour.' }),
});
export type ThirdPartyRequest = z.infer<typeof ThirdPartyRequest>;
export const ThirdPartyResponse = z.object({
  provider: z.literal('simulated-third-party'),
  query: z.string(),
  answer: z.object({ reversed: z.string(), length: z.number() }).meta({ description: "The query's characters reversed, and its length." }),
  latencyMs: z.number(),
  answeredAt: z.string(),
});
export type ThirdPartyResponse = z.infer<typeof ThirdPartyResponse>;

export const PublicationStatus = z.enum(['pending', 'published', 'withdrawn']);
export type PublicationStatus = z.infer<typeof PublicationStatus>;
/** Server B's publication of a record's content. */
export const Publication = z.object({
  id: z.string(),
  recordId: z.string(),
  status: PublicationStatus,
  content: z.string(),
  createdByKey: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Publication = z.infer<typeof Publication>;
export const SubmitPublicationRequest = z.object({ recordId: z.string(), content: z.string() });
export type SubmitPublicationRequest = z.infer<typeof SubmitPublicationRequest>;
export const PublicationQuery = z.object({
  status: queryParam().pipe(PublicationStatus).optional(),
  createdByKey: queryParam().optional(),
  recordId: queryParam().optional(),
});
export type PublicationQuery = z.infer<typeof PublicationQuery>;
export const PublicationList = z.object({ items: z.array(Publication) });
export type PublicationList = z.infer<typeof PublicationList>;
