// POST /enrich: derives a category, a score and keywords from the data.
import type { Category, EnrichResponse } from '../shared/api.ts';
import { normalize, words } from '../shared/text.ts';

/** Checked in this order; the first category with a matching word wins. */
const CATEGORY_WORDS: ReadonlyArray<[Category, ReadonlySet<string>]> = [
  ['incident', new Set(['error', 'errors', 'fail', 'failed', 'failure', 'bug', 'crash', 'outage', 'down', 'broken', 'timeout'])],
  ['commerce', new Set(['order', 'orders', 'payment', 'invoice', 'refund', 'price', 'cart', 'checkout', 'buy', 'purchase', 'shipping'])],
  ['greeting', new Set(['hello', 'hi', 'hey', 'greetings', 'welcome'])],
];
const KEYWORD_MIN_LENGTH = 4;
const MAX_KEYWORDS = 5;
/** Word count at which the length half of the score is full. */
const FULL_LENGTH_WORDS = 20;

export function categorize(normalized: string, tokens: readonly string[]): Category {
  for (const [category, vocabulary] of CATEGORY_WORDS) {
    if (tokens.some((t) => vocabulary.has(t))) return category;
  }
  return normalized.endsWith('?') ? 'question' : 'general';
}

/** 0-100: 50 points for lexical diversity (distinct / total words), 50 for length. */
export function score(tokens: readonly string[]): number {
  if (tokens.length === 0) return 0;
  const diversity = new Set(tokens).size / tokens.length;
  const length = Math.min(1, tokens.length / FULL_LENGTH_WORDS);
  return Math.round(50 * diversity + 50 * length);
}

export function keywords(tokens: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of tokens) if (t.length >= KEYWORD_MIN_LENGTH) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts]
    .sort(([a, ca], [b, cb]) => cb - ca || a.localeCompare(b))
    .slice(0, MAX_KEYWORDS)
    .map(([word]) => word);
}

export function enrich(data: string, reference: string | undefined, now = new Date()): EnrichResponse {
  const normalized = normalize(data);
  const tokens = words(normalized);
  return {
    category: categorize(normalized, tokens),
    score: score(tokens),
    keywords: keywords(tokens),
    reference: reference ?? null,
    enrichedBy: 'server-b',
    enrichedAt: now.toISOString(),
  };
}
