// npm run dev:all   Every part in one terminal, each labelled and coloured: Temporal (a local dev
//                   server, unless one already answers at TEMPORAL_ADDRESS), Server A, Server B, worker, API.
// npm start         The same, plus one run of the multi-server workflow as soon as all is ready.
// --split           Three workers instead of one (WORKER_ROLE orchestrator, server-a, server-b): the
//                   split layout of "Workers per service" in the README, e.g. npm run dev:all -- --split.
// Ctrl-C stops every process; if one of them dies on its own, the others are stopped too.
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import concurrently, { type ConcurrentlyCommandInput } from 'concurrently';
import { loadConfigOrExit } from '../shared/config.ts';
import { connectionOptions } from '../temporal/connection-options.ts';
import { isLocalAddress } from '../temporal/dev/dev-server.ts';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../temporal/dev/temporal-cli.ts';
import { temporalAnswers } from '../temporal/wait-for-temporal.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfigOrExit();
const runWorkflow = process.argv.includes('--run-workflow');
const split = process.argv.includes('--split');

interface Command {
  name: string;
  command: string;
  prefixColor: string;
  env?: Record<string, string>;
}

const existing = await temporalAnswers(connectionOptions(config.temporal));
// A dev server can only be started here, and speaks plaintext only: a server elsewhere, or one reached over
// TLS (a proxy in front of it), that does not answer yet is waited for by the worker.
const secured = config.temporal.security.tls !== undefined && config.temporal.security.tls !== false;
const startDevServer = !existing && !secured && isLocalAddress(config.temporal.address);
console.log(
  existing
    ? `Using the Temporal server that already answers at ${config.temporal.address}.`
    : startDevServer
      ? `No Temporal server at ${config.temporal.address}: starting a local dev server (npm run temporal:dev).`
      : `No Temporal server answers at ${config.temporal.address} yet; the worker waits for it (up to 2 minutes).`,
);
if (startDevServer) {
  // Before anything starts: a first Go build of the CLI takes minutes, longer than the others wait for Temporal.
  try {
    await ensureTemporalCli({ explicitPath: config.temporal.cliPath, log: (line) => console.log(line) });
  } catch (error) {
    if (!(error instanceof TemporalCliUnavailableError)) throw error;
    console.error(error.message);
    process.exit(config.temporal.cliPath ? 2 : 1);
  }
}

// Children run on the same Node as this script (the project's pinned one), whatever PATH says.
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
// Readable log lines for people (unless LOG_FORMAT says otherwise), coloured when this terminal can show it.
const LOG_FORMAT = process.env.LOG_FORMAT?.trim() || 'pretty';
const colour = process.stdout.isTTY ? { FORCE_COLOR: '1' } : {};
// concurrently runs each command through a shell; `exec` lets Node replace it, so signals and exit codes are Node's own.
const exec = process.platform === 'win32' ? '' : 'exec ';
const commands: ConcurrentlyCommandInput[] = (
  [
    ...(startDevServer ? [{ name: 'temporal', command: `${exec}node scripts/temporal-dev.ts`, prefixColor: 'blue' }] : []),
    { name: 'server-a', command: `${exec}node server-a/index.ts`, prefixColor: 'green' },
    { name: 'server-b', command: `${exec}node server-b/index.ts`, prefixColor: 'magenta' },
    ...(split ? splitWorkers() : [{ name: 'worker', command: `${exec}node temporal/worker.ts`, prefixColor: 'yellow' }]),
    // Starts before Temporal answers and says 503 until it does: no need to wait for it here.
    { name: 'api', command: `${exec}node api/index.ts`, prefixColor: 'white' },
    // Encrypted payloads are readable in the Web UI only through the codec server.
    ...(config.codec.keys.length > 0 ? [{ name: 'codec', command: `${exec}node temporal/codec-server.ts`, prefixColor: 'gray' }] : []),
    ...(runWorkflow ? [{ name: 'client', command: `${exec}node scripts/first-run.ts`, prefixColor: 'cyan' }] : []),
  ] satisfies Command[]
).map((c: Command) => ({ ...c, env: { ...c.env, PATH, LOG_FORMAT, ...colour } }));

/** One worker per role; each serves its metrics on its own port (the configured one, +1, +2), or none. */
function splitWorkers(): Command[] {
  const port = config.workerMetricsPort;
  return (['orchestrator', 'server-a', 'server-b'] as const).map((role, i) => ({
    name: role === 'orchestrator' ? 'orchestrator' : `worker-${role.slice(-1)}`,
    command: `${exec}node temporal/worker.ts`,
    prefixColor: ['yellow', 'green', 'magenta'][i]!,
    env: { WORKER_ROLE: role, WORKER_METRICS_PORT: port === undefined ? 'off' : port === 0 ? '0' : String(port + i) },
  }));
}

let stopping = false;
let failed = false;
const stopRequested = () => (stopping = true);
process.on('SIGINT', stopRequested);
process.on('SIGTERM', stopRequested);

const stack = concurrently(commands, { prefix: 'name', cwd: ROOT, handleInput: false, restartTries: 0 });
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
