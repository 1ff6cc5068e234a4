// How the project's dev server runs (npm run temporal:dev, npm start, the tests, the benchmarks), each
// value with the reason for it and what a production cluster does instead; docs/performance.md has the
// measurements. Eager activity dispatch (system.enableActivityEagerExecution) is not set: it only hands
// out activities on the workflow's own task queue, and each service's activities run on their own.
// The Docker Compose server reads the same dynamic config keys from deployment/dynamicconfig/.

/** Server dynamic config, passed as --dynamic-config-value key=value. */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  // The history service loads new transfer tasks (a workflow task or activity task to hand to matching)
  // at most this often per second per shard; the default 20 puts each hand-off on a 50 ms grid. The dev
  // server has one shard, so every step of every run waits on it. A cluster spreads runs over hundreds
  // or thousands of shards, where the default rarely binds. Polls only happen when tasks were written.
  'history.transferProcessorMaxPollRPS': 1000,
} as const;

/**
 * SQLite pragmas for the dev server's state file. Write-ahead logging with synchronous=NORMAL syncs the
 * log at checkpoints instead of at every commit: nothing committed is lost when the server process
 * crashes or is killed, but a power cut or an OS crash may lose the last moments of commits (the file
 * never corrupts). The defaults (rollback journal, synchronous=FULL) sync several times per commit.
 * A production cluster's database (PostgreSQL, MySQL, Cassandra) syncs every commit, on hardware made for it.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = {
  journal_mode: 'wal',
  synchronous: 'normal',
} as const;

/** The settings as `temporal server start-dev` arguments; the pragmas only when state is kept in a file. */
export function devServerSettingsArgs(options: { dbFile?: string | undefined }): string[] {
  const args = Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
  if (options.dbFile) args.push(...Object.entries(DEV_SERVER_SQLITE_PRAGMAS).flatMap(([key, value]) => ['--sqlite-pragma', `${key}=${value}`]));
  return args;
}
