// Relative paths in the configuration (database files) are relative to the project root, wherever the
// process was started from.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** ':memory:' stays as it is; anything else is resolved against the project root. */
export function fromProjectRoot(path: string): string {
  return path === ':memory:' ? path : resolve(PROJECT_ROOT, path);
}
