// The Compose stack's Temporal server, run as a process of this machine: the binary of the version Compose
// pins, configured the way Compose configures its container. Both use the server's embedded config template
// and fill it from the same environment variables (serverEnv; test/compose.test.ts holds the two equal), with
// the same dynamic config file (deployment/dynamicconfig/).
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../shared/paths.ts';
import { startServerProcess } from '../dev/server-process.ts';
import { freePort } from '../probe-tcp.ts';
import { temporalAnswers } from '../wait-for-temporal.ts';
import { type PostgresSettings, visibilityDb } from './postgres.ts';

export const DYNAMIC_CONFIG_FILE = `${PROJECT_ROOT}deployment/dynamicconfig/development-sql.yaml`;

/** The embedded template's port variables, each with its default: the frontend's gRPC port is Compose's 7233. */
export const SERVER_PORTS = {
  FRONTEND_GRPC_PORT: 7233,
  FRONTEND_HTTP_PORT: 7243,
  FRONTEND_MEMBERSHIP_PORT: 6933,
  HISTORY_GRPC_PORT: 7234,
  HISTORY_MEMBERSHIP_PORT: 6934,
  MATCHING_GRPC_PORT: 7235,
  MATCHING_MEMBERSHIP_PORT: 6935,
  INTERNAL_FRONTEND_GRPC_PORT: 7236,
  INTERNAL_FRONTEND_HTTP_PORT: 7246,
  INTERNAL_FRONTEND_MEMBERSHIP_PORT: 6936,
  WORKER_GRPC_PORT: 7239,
  WORKER_MEMBERSHIP_PORT: 6939,
};
export type ServerPorts = typeof SERVER_PORTS;

/**
 * Free ports for a second server beside a developer's: below 32768, because the server records its hosts' ports in
 * PostgreSQL as a smallint (cluster_membership.rpc_port) and fails to join its own cluster on a higher one, which
 * is where the operating system's ephemeral ports are. `extra` names more (a second history host's, say).
 */
export async function freeServerPorts<Extra extends string = never>(extra: Extra[] = []): Promise<ServerPorts & Record<Extra, number>> {
  const ports: Record<string, number> = {};
  const taken = new Set<number>();
  for (const name of [...Object.keys(SERVER_PORTS), ...extra]) {
    for (;;) {
      const candidate = 20_000 + randomInt(12_767);
      if (taken.has(candidate) || (await freePort(candidate).catch(() => undefined)) === undefined) continue;
      taken.add(candidate);
      ports[name] = candidate;
      break;
    }
  }
  return ports as ServerPorts & Record<Extra, number>;
}

/**
 * The variables Compose's `temporal` service sets, with this machine's values (loopback, the host's paths);
 * `ports` moves the server off the template's ports (tests run one beside a developer's).
 */
export function serverEnv(postgres: PostgresSettings, ports?: ServerPorts): Record<string, string> {
  return {
    ...(ports && Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)]))),
    DB: 'postgres12',
    DB_PORT: String(postgres.port),
    POSTGRES_SEEDS: postgres.host,
    POSTGRES_USER: postgres.user,
    POSTGRES_PWD: postgres.password,
    DBNAME: postgres.db,
    VISIBILITY_DBNAME: visibilityDb(postgres),
    // Loopback only: this server has no authentication.
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
  };
}

/** How long the server may take to answer: a first start on empty databases initialises its shards. */
const READY_TIMEOUT_MS = 120_000;

export type RunningServer = Awaited<ReturnType<typeof startServer>>;

/**
 * Starts `temporal-server start` (all services in one process unless `services` names some) with `env` on top of
 * this process's environment, its log lines going to `logFile`; resolves once the frontend at `address` answers.
 */
export async function startServer(binary: string, env: Record<string, string>, address: string, logFile: string, services: string[] = []) {
  const args = ['start', ...services.flatMap((service) => ['--service', service])];
  const { child, exited, gone, stop } = startServerProcess(binary, args, { env: { ...process.env, ...env }, logFile, graceMs: 15_000 });
  if (services.length === 0 || services.includes('frontend')) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await temporalAnswers(address, 1_000))) {
      if (gone()) throw new Error(`the Temporal server exited (code ${await exited}) before it answered at ${address}; its log: ${logFile}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Temporal server did not answer at ${address} within ${READY_TIMEOUT_MS / 1000} s; its log: ${logFile}`);
      }
      await sleep(500);
    }
  }
  return { child, exited, stop };
}
