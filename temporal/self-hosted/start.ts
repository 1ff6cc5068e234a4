// The Compose stack's Temporal on this machine, in Compose's order: PostgreSQL checked, the schemas brought up
// to date (deployment/temporal/setup-schema.sh), the server started, the namespace and search attributes
// registered (deployment/temporal/create-namespace.sh), the Web UI started. `npm run temporal:postgres` and
// the tests that prove the product on this server both start it here.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PROJECT_ROOT } from '../../shared/paths.ts';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes.ts';
import type { SelfHostedBinaries } from './binaries.ts';
import { checkPostgres, type PostgresSettings, visibilityDb } from './postgres.ts';
import { type ServerPorts, SERVER_PORTS, serverEnv, startServer } from './server.ts';
import { startUiServer } from './ui-server.ts';

export interface SelfHostedOptions {
  binaries: SelfHostedBinaries;
  /** The `temporal` CLI the namespace script runs. */
  cli: string;
  postgres: PostgresSettings;
  namespace: string;
  /** The namespace's retention, as Compose's step sets it. */
  retention: string;
  ports?: ServerPorts;
  uiPort: number;
  codecEndpoint?: string | undefined;
  /** Where the server's and the UI's logs go (postgres-server.log, postgres-ui.log) and the UI's config folder. */
  logDir: string;
  say: (line: string) => void;
}

export async function startSelfHosted(options: SelfHostedOptions) {
  const { binaries, postgres, say } = options;
  await checkPostgres(postgres);
  await setupSchema(binaries, postgres, say);
  const address = `127.0.0.1:${(options.ports ?? SERVER_PORTS).FRONTEND_GRPC_PORT}`;
  const server = await startServer(binaries.server, serverEnv(postgres, options.ports), address, `${options.logDir}/postgres-server.log`);
  try {
    await registerNamespace({ ...options, address });
    const ui = await startUiServer(binaries, {
      temporalAddress: address,
      port: options.uiPort,
      codecEndpoint: options.codecEndpoint,
      logFile: `${options.logDir}/postgres-ui.log`,
    });
    const stop = async () => {
      await ui.stop();
      await server.stop();
    };
    return { address, uiUrl: ui.url, server, ui, stop };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Registers the namespace with its retention and the project's search attributes, with Compose's own script. */
export function registerNamespace(options: Pick<SelfHostedOptions, 'cli' | 'namespace' | 'retention' | 'say'> & { address: string }): Promise<void> {
  return step('create-namespace.sh', options.say, {
    TEMPORAL_CLI: options.cli,
    TEMPORAL_ADDRESS: options.address,
    NAMESPACE: options.namespace,
    RETENTION: options.retention,
    SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTE_KEYS.map((key) => key.name).join(' '),
  });
}

/** Creates or upgrades both databases' schemas with Compose's own script (safe to run again). */
export function setupSchema(binaries: SelfHostedBinaries, postgres: PostgresSettings, say: (line: string) => void): Promise<void> {
  return step('setup-schema.sh', say, {
    TEMPORAL_SQL_TOOL: binaries.sqlTool,
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
    DBNAME: postgres.db,
    VISIBILITY_DBNAME: visibilityDb(postgres),
    SCHEMA_DIR: binaries.schemaDir,
  });
}

/** Runs one of Compose's step scripts with `env`, saying its last line; throws with all it said otherwise. */
async function step(script: string, say: (line: string) => void, env: Record<string, string>): Promise<void> {
  // Asynchronously: a server started earlier keeps being served (and Ctrl-C heard) while the step runs.
  const child = spawn('/bin/sh', [`${PROJECT_ROOT}deployment/temporal/${script}`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`${script} failed (exit ${code}):\n${output.trim()}`);
  say(output.trim().split('\n').at(-1) ?? '');
}
