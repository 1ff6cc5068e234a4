// npm run temporal:dev: a local Temporal dev server with its Web UI, no Docker needed, its state kept across restarts
// in TEMPORAL_DEV_DB; the CLI comes from temporal/dev/temporal-cli.ts, which finds or makes one.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, orExit } from '../shared/config.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { devServerArgs, devUiPort, isLocalAddress } from '../temporal/dev/dev-server.ts';
import { DEV_SERVER_TEMPORAL_VERSION, ensureTemporalCliOrExit } from '../temporal/dev/temporal-cli.ts';
import { temporalAnswers } from '../temporal/wait-for-temporal.ts';

const config = orExit(loadConfig);
const { address, namespace } = config.temporal;
const port = Number(address.slice(address.lastIndexOf(':') + 1));
if (!isLocalAddress(address)) {
  console.error(`TEMPORAL_ADDRESS is ${address}, which is not this machine: the dev server can only listen locally (e.g. localhost:7233).`);
  process.exit(2);
}
if (await temporalAnswers(address)) {
  console.log(`A Temporal server already answers at ${address}; not starting another one.`);
  process.exit(0);
}
const cli = (await ensureTemporalCliOrExit(config.temporal.cliPath)).path;

const dbFile = fromProjectRoot(config.temporal.devDbFile);
mkdirSync(dirname(dbFile), { recursive: true });
const ip = address.startsWith('[::1]') ? '::1' : '127.0.0.1';
// With encryption on, the UI asks the codec server (npm run codec-server) to show payloads decrypted.
const codecEndpoint = config.codec.keys.length > 0 ? `http://localhost:${config.codec.serverPort}` : undefined;
console.log(`Temporal dev server (Temporal server ${DEV_SERVER_TEMPORAL_VERSION}, CLI ${cli})`);
console.log(`  Address  ${address} (namespace ${namespace})`);
console.log(`  Web UI   http://localhost:${devUiPort(port)}`);
console.log(`  State    ${dbFile} (kept across restarts; delete it to start fresh)`);
if (codecEndpoint) console.log(`  Codec    ${codecEndpoint} (the Web UI decrypts payloads through it; npm run codec-server)`);
console.log('Ctrl-C stops it.');
const child = spawn(cli, devServerArgs({ cli, ip, port, namespace, dbFile, ...(codecEndpoint && { codecEndpoint }) }), { stdio: 'inherit' });
// A repeated Ctrl-C (terminal plus concurrently) is passed on once; the server stops on the first.
let forwarded = false;
const forward = (signal: NodeJS.Signals) => {
  if (!forwarded) child.kill(signal);
  forwarded = true;
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('error', (error) => {
  console.error(`Could not run ${cli}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
