// POST /process-internal: Server A's own processing of the data: normalize it, count it, hash it.
import type { Metadata, ProcessInternalResponse } from '../shared/api.ts';
import { characterCount, normalize, sha256, words } from '../shared/text.ts';

export function processInternal(data: string, metadata: Metadata = {}, now = new Date()): ProcessInternalResponse {
  const normalized = normalize(data);
  return {
    normalized,
    wordCount: words(normalized).length,
    characterCount: characterCount(normalized),
    contentHash: sha256(normalized),
    metadata,
    processedBy: 'server-a',
    processedAt: now.toISOString(),
  };
}
