// The project's root and version: relative paths in the configuration are relative to the root.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../package.json' with { type: 'json' };

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const VERSION: string = pkg.version;

/** ':memory:' stays as it is; anything else is resolved against the project root. */
export function fromProjectRoot(path: string): string {
  return path === ':memory:' ? path : resolve(PROJECT_ROOT, path);
}
