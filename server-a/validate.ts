// The rules of POST /validate. An input that breaks them is a normal answer ({ valid: false })
// listing every broken rule, so a caller can show all problems at once.
import type { ValidateResponse, ValidationIssue } from '../shared/api.ts';
import { isPlainObject } from '../shared/service/http-error.ts';
import { characterCount } from '../shared/text.ts';

export const MAX_DATA_LENGTH = 1000;
export const MAX_METADATA_KEYS = 20;
/** Letters (with their combining marks), digits, whitespace and common punctuation; anything else
 *  (e.g. < > { } ` $ \) is rejected. */
const ALLOWED = /[\p{L}\p{M}\p{N}\s.,;:!?'"’()\-_/@#&+*%=]/u;

export function validateInput(data: string, metadata: unknown): ValidateResponse {
  const errors: ValidationIssue[] = [];
  if (data.trim() === '') {
    errors.push({ field: 'data', code: 'EMPTY', message: 'data must not be empty or only whitespace' });
  }
  const length = characterCount(data);
  if (length > MAX_DATA_LENGTH) {
    errors.push({ field: 'data', code: 'TOO_LONG', message: `data is ${length} characters long; the limit is ${MAX_DATA_LENGTH}` });
  }
  const rejected = [...new Set([...data].filter((ch) => !ALLOWED.test(ch)))];
  if (rejected.length > 0) {
    const shown = rejected
      .slice(0, 5)
      .map((ch) => JSON.stringify(ch))
      .join(', ');
    errors.push({
      field: 'data',
      code: 'INVALID_CHARACTERS',
      message: `data contains characters that are not allowed: ${shown}${rejected.length > 5 ? ', …' : ''}`,
    });
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) {
      errors.push({ field: 'metadata', code: 'NOT_AN_OBJECT', message: 'metadata must be a JSON object when given' });
    } else if (Object.keys(metadata).length > MAX_METADATA_KEYS) {
      errors.push({ field: 'metadata', code: 'TOO_MANY_KEYS', message: `metadata may have at most ${MAX_METADATA_KEYS} keys` });
    }
  }
  return { valid: errors.length === 0, errors };
}
