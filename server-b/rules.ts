// Server B's publishing rules: content they forbid is refused with a 422 that names the rule. The
// verdict depends on the content alone, so a rejection is a business outcome, never worth a retry.
import { normalize, words } from '../shared/text.ts';

/** Words Server B will not publish (documented in the README). */
export const BANNED_WORDS: readonly string[] = ['spam', 'scam', 'forbidden'];

export interface RuleViolation {
  rule: 'no-banned-words';
  message: string;
}

export function ruleViolation(content: string): RuleViolation | undefined {
  const banned = [...new Set(words(normalize(content)).filter((w) => BANNED_WORDS.includes(w)))];
  if (banned.length === 0) return undefined;
  return { rule: 'no-banned-words', message: `rule no-banned-words: the content contains ${banned.map((w) => `"${w}"`).join(', ')}` };
}
