// The local Temporal dev server: where its Web UI listens, and how to find a `temporal` CLI binary
// (the path in TEMPORAL_CLI_PATH, else the first one on PATH).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Web UI port of the dev server that `npm run temporal:dev` starts. */
export const DEV_UI_PORT = 8233;

export class TemporalCliNotFoundError extends Error {}

/** undefined when there is none; throws when an explicitly given path is not an executable file. */
export function findTemporalCli(explicitPath: string | undefined, pathVariable = process.env.PATH ?? ''): string | undefined {
  if (explicitPath) {
    if (!isExecutableFile(explicitPath)) {
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH is set to "${explicitPath}", which is not an executable file`);
    }
    return explicitPath;
  }
  const name = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
