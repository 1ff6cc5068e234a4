// npm run dev:all: every part in one terminal, each labelled and coloured; npm start adds one workflow run once all
// is ready; --split runs one worker per role (docs/workers.md); --postgres starts the Compose stack's Temporal on
// PostgreSQL (npm run temporal:postgres) instead of the dev server. One process dying on its own stops the others.
import { delimiter, dirname } from 'node:path';
import concurrently, { type ConcurrentlyCommandInput } from 'concurrently';
import { describeTokens, ensureDevTokens } from '../api/auth/dev-tokens.ts';
import { loadConfig, orExit } from '../shared/config.ts';
import { PROJECT_ROOT } from '../shared/paths.ts';
import { connectionOptions } from '../temporal/connection-options.ts';
import { isLocalAddress } from '../temporal/dev/dev-server.ts';
import { ensureTemporalCliOrExit } from '../temporal/dev/temporal-cli.ts';
import { ensureSelfHostedBinaries } from '../temporal/self-hosted/binaries.ts';
import { temporalAnswers } from '../temporal/wait-for-temporal.ts';

const config = orExit(loadConfig);
const runWorkflow = process.argv.includes('--run-workflow');
const split = process.argv.includes('--split');
const onPostgres = process.argv.includes('--postgres');

const existing = await temporalAnswers(connectionOptions(config.temporal));
// A dev server can only be started here, and speaks plaintext only: a server elsewhere, or one reached over
// TLS (a proxy in front of it), that does not answer yet is waited for by the worker.
const secured = config.temporal.security.tls !== undefined && config.temporal.security.tls !== false;
const startDevServer = !existing && !secured && isLocalAddress(config.temporal.address);
const local = onPostgres ? "the Compose stack's Temporal on PostgreSQL (npm run temporal:postgres)" : 'a local dev server (npm run temporal:dev)';
console.log(
  existing
    ? `Using the Temporal server that already answers at ${config.temporal.address}.`
    : startDevServer
      ? `No Temporal server at ${config.temporal.address}: starting ${local}.`
      : `No Temporal server answers at ${config.temporal.address} yet; the worker waits for it (up to 2 minutes).`,
);
// Before anything starts: a first Go build takes minutes, longer than the others wait for Temporal.
if (startDevServer) await ensureTemporalCliOrExit(config.temporal.cliPath);
if (startDevServer && onPostgres) await ensureSelfHostedBinaries((line) => console.log(line));

// The workflow API lets nobody in without a token: on the first run, a development set, shown this once.
const { file } = config.api.tokens;
const made = config.api.tokens.inline === undefined ? ensureDevTokens(file) : [];
const consoleUrl = `http://${config.serviceHost === '0.0.0.0' ? '127.0.0.1' : config.serviceHost}:${config.api.port}/console/`;
console.log(
  made.length > 0
    ? `Console: ${consoleUrl}\nSign in with one of these development tokens, shown this once (${file} keeps their hashes only):\n${describeTokens(made).join('\n')}`
    : `Console: ${consoleUrl} (sign in with a token of ${config.api.tokens.inline === undefined ? file : 'API_TOKENS'}; npm run token -- --dev --replace makes new development tokens)`,
);

// Children run on the same Node as this script (the project's pinned one), whatever PATH says.
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
// Readable log lines for people (unless LOG_FORMAT says otherwise), coloured when this terminal can show it.
const LOG_FORMAT = process.env.LOG_FORMAT?.trim() || 'pretty';
const colour = process.stdout.isTTY ? { FORCE_COLOR: '1' } : {};
// concurrently runs each command through a shell; `exec` lets Node replace it, so signals and exit codes are Node's own.
const exec = process.platform === 'win32' ? '' : 'exec ';
const node = (name: string, script: string, prefixColor: string, env: Record<string, string> = {}): ConcurrentlyCommandInput => ({
  name,
  command: `${exec}node ${script}`,
  prefixColor,
  env: { ...env, PATH, LOG_FORMAT, ...colour },
});
const commands = [
  ...(startDevServer ? [node('temporal', onPostgres ? 'scripts/temporal-postgres.ts' : 'scripts/temporal-dev.ts', 'blue')] : []),
  node('server-a', 'server-a/index.ts', 'green'),
  node('server-b', 'server-b/index.ts', 'magenta'),
  ...(split ? splitWorkers() : [node('worker', 'temporal/worker.ts', 'yellow')]),
  // Starts before Temporal answers and says 503 until it does: no need to wait for it here.
  node('api', 'api/index.ts', 'white'),
  // Encrypted payloads are readable in the Web UI only through the codec server.
  ...(config.codec.keys.length > 0 ? [node('codec', 'temporal/codec-server.ts', 'gray')] : []),
  ...(runWorkflow ? [node('client', 'scripts/first-run.ts', 'cyan')] : []),
];

/** One worker per role; each serves its metrics on its own port (the configured one, +1, +2), or none. */
function splitWorkers(): ConcurrentlyCommandInput[] {
  const port = config.workerMetricsPort;
  return (['orchestrator', 'server-a', 'server-b'] as const).map((role, i) =>
    node(role === 'orchestrator' ? 'orchestrator' : `worker-${role.slice(-1)}`, 'temporal/worker.ts', ['yellow', 'green', 'magenta'][i]!, {
      WORKER_ROLE: role,
      WORKER_METRICS_PORT: port === undefined ? 'off' : port === 0 ? '0' : String(port + i),
    }),
  );
}

let stopping = false;
let failed = false;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (stopping = true));

const stack = concurrently(commands, { prefix: 'name', cwd: PROJECT_ROOT, handleInput: false, restartTries: 0 });
for (const command of stack.commands) {
  if (command.name === 'client') continue; // its exit is the workflow's outcome, not a reason to stop
  command.close.subscribe(({ exitCode }) => {
    if (stopping || exitCode === 0) return;
    stopping = true;
    failed = true;
    console.error(`\n${command.name} exited (${exitCode}); stopping the others. Its output above says why.`);
    for (const other of stack.commands) other.kill();
  });
}

try {
  await stack.result;
} catch {
  // After Ctrl-C, processes ending on the signal is the expected outcome.
  if (!stopping) failed = true;
}
process.exitCode = failed ? 1 : 0;
