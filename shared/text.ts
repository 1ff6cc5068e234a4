// Text helpers both services use, so "a word" and "normalized" mean the same on Server A and B.
import { createHash } from 'node:crypto';

/** Trimmed, runs of whitespace collapsed to one space, lower-cased (locale-independent). */
export function normalize(data: string): string {
  return data.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Letters (with combining marks, as in "नमस्ते") and digits, inner apostrophes or hyphens kept: "it's", "e-mail". */
export function words(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu) ?? [];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
