// npm run temporal:postgres: the Docker Compose stack's Temporal without Docker, on this machine's PostgreSQL.
// Builds (once per machine and version) the server, temporal-sql-tool and the UI server Compose pins, then
// starts them the way Compose does (temporal/self-hosted/start.ts). Ctrl-C stops the server and the UI; the
// databases stay. `-- --install` only builds (CI does, before the tests); `-- --cluster` runs the server split into
// its services, as a production deployment runs it (temporal/self-hosted/cluster.ts), on databases of its own.
import { mkdirSync } from 'node:fs';
import { loadConfig, orExit } from '../shared/config.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { ensureTemporalCliOrExit } from '../temporal/dev/temporal-cli.ts';
import { ensureSelfHostedBinaries } from '../temporal/self-hosted/binaries.ts';
import { checkPostgres, visibilityDb } from '../temporal/self-hosted/postgres.ts';
import { CLUSTER_ROLES, HISTORY_SHARDS, startCluster } from '../temporal/self-hosted/cluster.ts';
import { startSelfHosted } from '../temporal/self-hosted/start.ts';
import { startUiServer } from '../temporal/self-hosted/ui-server.ts';
import { COMPOSE_VERSIONS } from '../temporal/self-hosted/versions.ts';
import { temporalAnswers } from '../temporal/wait-for-temporal.ts';

const USAGE = 'Usage: npm run temporal:postgres [-- --install | --cluster]';
const args = process.argv.slice(2);
if (args.length > 1 || (args.length === 1 && args[0] !== '--install' && args[0] !== '--cluster')) {
  console.error(`Unknown arguments: ${args.join(' ')}\n${USAGE}`);
  process.exit(2);
}
const say = (line: string) => console.log(line);
const binaries = await ensureSelfHostedBinaries(say).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
if (args[0] === '--install') {
  say(
    `Temporal server ${COMPOSE_VERSIONS.temporalServer}: ${binaries.server}\ntemporal-sql-tool: ${binaries.sqlTool}\nUI server ${COMPOSE_VERSIONS.temporalUi}: ${binaries.uiServer}`,
  );
  process.exit(0);
}

const config = orExit(loadConfig);
const { address, namespace } = config.temporal;
const cluster = args[0] === '--cluster';
// The cluster's shard count is not the single server's, and a database keeps the count it was first used with.
const postgres = cluster ? { ...config.postgres, db: `${config.postgres.db}_cluster` } : config.postgres;
if (address !== 'localhost:7233' && address !== '127.0.0.1:7233') {
  console.error(`TEMPORAL_ADDRESS is ${address}: this server listens where Compose's does, localhost:7233.`);
  process.exit(2);
}
if (await temporalAnswers(address)) {
  say(`A Temporal server already answers at ${address}; not starting another one.`);
  process.exit(0);
}
const cli = (await ensureTemporalCliOrExit(config.temporal.cliPath)).path;
const logDir = fromProjectRoot('.temporal');
mkdirSync(logDir, { recursive: true });
const codecEndpoint = config.codec.keys.length > 0 ? `http://localhost:${config.codec.serverPort}` : undefined;
let stack: { uiUrl: string; exited: Promise<unknown>; stop: () => Promise<void> };
try {
  if (cluster) {
    await checkPostgres(postgres);
    const servers = await startCluster({ binaries, cli, postgres, namespace, retention: '72h', composePorts: true, logDir, say });
    const ui = await startUiServer(binaries, { temporalAddress: address, port: 7070, codecEndpoint, logFile: `${logDir}/postgres-ui.log` }).catch(
      async (error: unknown) => {
        await servers.stop();
        throw error;
      },
    );
    stack = { uiUrl: ui.url, exited: servers.unplannedExit, stop: () => Promise.all([ui.stop(), servers.stop()]).then(() => undefined) };
  } else {
    const single = await startSelfHosted({ binaries, cli, postgres, namespace, retention: '72h', uiPort: 7070, codecEndpoint, logDir, say });
    stack = { ...single, exited: single.server.exited };
  }
} catch (error) {
  // Every reason in one sentence (and the logs it names), never a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const shape = cluster ? ` as a cluster (${CLUSTER_ROLES.join(', ')}; ${HISTORY_SHARDS} history shards)` : '';
say(
  `Temporal server ${COMPOSE_VERSIONS.temporalServer}${shape} on PostgreSQL (${postgres.host}:${postgres.port}, databases ${postgres.db} and ${visibilityDb(postgres)})`,
);
say(`  Address  ${address} (namespace ${namespace}, retention 72h)`);
say(`  Web UI   ${stack.uiUrl} (UI server ${COMPOSE_VERSIONS.temporalUi})`);
if (codecEndpoint) say(`  Codec    ${codecEndpoint} (the Web UI decrypts payloads through it; npm run codec-server)`);
say(`  Logs     ${logDir}/${cluster ? 'cluster-<role>' : 'postgres-server'}.log, ${logDir}/postgres-ui.log`);
say('Ctrl-C stops the server and the UI; the databases stay.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(() => process.exit(0));
  });
}
void stack.exited.then(async (exit) => {
  if (stopping) return;
  console.error(`The Temporal server exited on its own (${JSON.stringify(exit)}); see its log in ${logDir}.`);
  await stack.stop();
  process.exit(1);
});
