// POST /process-external: Server B's processing. The reference is derived from the content, so the
// same data always gets the same reference and a retried call cannot create a second one.
import type { ProcessExternalResponse } from '../shared/api.ts';
import { normalize, sha256, words } from '../shared/text.ts';

const MAX_LISTED_WORDS = 20;

export function processExternal(data: string, contentHash: string | undefined, now = new Date()): ProcessExternalResponse {
  const normalized = normalize(data);
  const unique = [...new Set(words(normalized))].sort();
  return {
    reference: `EXT-${sha256(normalized).slice(0, 12).toUpperCase()}`,
    uniqueWords: unique.slice(0, MAX_LISTED_WORDS),
    uniqueWordCount: unique.length,
    contentHash: contentHash ?? null,
    processedBy: 'server-b',
    processedAt: now.toISOString(),
  };
}
