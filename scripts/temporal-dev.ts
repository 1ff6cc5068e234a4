// npm run temporal:dev: a local Temporal dev server with its Web UI, no Docker needed. State is kept
// in .temporal/ (git-ignored), so workflows survive a restart. Uses a `temporal` CLI when there is
// one (TEMPORAL_CLI_PATH or PATH), otherwise the dev server that the Temporal SDK downloads and caches.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../shared/config.ts';
import { DEV_UI_PORT, findTemporalCli, TemporalCliNotFoundError } from '../temporal/dev-server.ts';
import { temporalAnswers } from '../temporal/wait-for-temporal.ts';

const STATE_DIR = fileURLToPath(new URL('../.temporal/', import.meta.url));
const DB_FILE = `${STATE_DIR}dev-server.db`;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const config = loadConfigOrExit();
const { address, namespace } = config.temporal;
const separator = address.lastIndexOf(':');
const host = address.slice(0, separator);
const port = Number(address.slice(separator + 1));
if (!LOCAL_HOSTS.has(host)) {
  fail(`TEMPORAL_ADDRESS is ${address}, which is not this machine: the dev server can only listen locally (e.g. localhost:7233).`, 2);
}
if (await temporalAnswers(address)) {
  console.log(`A Temporal server already answers at ${address}; not starting another one.`);
  process.exit(0);
}
mkdirSync(STATE_DIR, { recursive: true });

let cli: string | undefined;
try {
  cli = findTemporalCli(config.temporal.cliPath);
} catch (error) {
  if (!(error instanceof TemporalCliNotFoundError)) throw error;
  fail(error.message, 2);
}

const banner = (source: string) =>
  [
    `Temporal dev server (${source})`,
    `  Address  ${address} (namespace ${namespace})`,
    `  Web UI   http://localhost:${DEV_UI_PORT}`,
    `  State    ${DB_FILE} (kept across restarts; delete it to start fresh)`,
    'Ctrl-C stops it.',
  ].join('\n');

if (cli) {
  console.log(banner(cli));
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(DEV_UI_PORT)];
  args.push('--db-filename', DB_FILE, '--namespace', namespace, '--log-level', 'warn');
  const child = spawn(cli, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => fail(`Could not run ${cli}: ${error.message}`, 1));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
} else {
  console.log('No `temporal` CLI on PATH or in TEMPORAL_CLI_PATH: using the dev server the Temporal SDK downloads (cached after the first run)...');
  Runtime.install({ shutdownSignals: [] }); // this script handles Ctrl-C itself, below
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', downloadDir: `${STATE_DIR}bin`, ttl: '30d' },
        ip: '127.0.0.1',
        port,
        ui: true,
        uiPort: DEV_UI_PORT,
        dbFilename: DB_FILE,
        namespace,
        log: { format: 'pretty', level: 'warn' },
      },
    });
  } catch (error) {
    fail(
      [
        `Could not start a local Temporal dev server: ${(error as Error).message.split('\n')[0]}`,
        'There is no `temporal` CLI on PATH or in TEMPORAL_CLI_PATH, and the SDK could not download the dev server (offline?).',
        'Do one of these, then run this command again:',
        '  - install the Temporal CLI (https://docs.temporal.io/cli#install) or set TEMPORAL_CLI_PATH to it;',
        '  - or start Temporal with Docker: npm run temporal:start;',
        '  - or point TEMPORAL_ADDRESS at a Temporal server you already run.',
      ].join('\n'),
      1,
    );
  }
  console.log(banner('downloaded by the Temporal SDK'));
  // The server is a child of the SDK's native runtime, which does not hold Node's event loop:
  // without this timer Node would exit here and take the dev server with it.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = async () => {
    clearInterval(keepAlive);
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    console.log('Stopping the Temporal dev server...');
    await env.teardown();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
