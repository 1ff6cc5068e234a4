// How the project's dev server runs (npm run temporal:dev, npm start, the tests, the benchmarks), each value
// with its reason; docs/performance.md has the measurements and what a production cluster does instead. The
// Compose server reads the same keys from deployment/dynamicconfig/. Eager activity dispatch is not set: it
// only serves the workflow's own task queue, and each service's activities run on their own.

/** Server dynamic config, passed as --dynamic-config-value key=value. */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  // New workflow and activity tasks are handed to matching at most this often per second per shard: the
  // default 20 puts every step on a 50 ms grid on the dev server's one shard (a cluster has thousands).
  'history.transferProcessorMaxPollRPS': 1000,
} as const;

/** SQLite pragmas for the dev server's state file: write-ahead logging, synced at checkpoints instead of at
 *  every commit. A killed server loses nothing committed; a power cut or OS crash may lose the last moments
 *  (the file never corrupts). The defaults sync several times per commit. */
const DEV_SERVER_SQLITE_PRAGMAS = { journal_mode: 'wal', synchronous: 'normal' } as const;

/** The settings as `temporal server start-dev` arguments; the pragmas only when state is kept in a file. */
export function devServerSettingsArgs(options: { dbFile?: string | undefined }): string[] {
  const args = Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
  if (options.dbFile) args.push(...Object.entries(DEV_SERVER_SQLITE_PRAGMAS).flatMap(([key, value]) => ['--sqlite-pragma', `${key}=${value}`]));
  return args;
}
