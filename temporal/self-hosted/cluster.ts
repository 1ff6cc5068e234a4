// The Compose stack's Temporal server split the way a production deployment splits it: the same binary run once per
// service (frontend, two history hosts, matching, the internal worker), each a process of its own that finds the
// others through the membership table in PostgreSQL. The cluster drill (scripts/cluster-drill.ts) kills and
// restarts these processes one by one.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { SelfHostedBinaries } from './binaries.ts';
import type { PostgresSettings } from './postgres.ts';
import { freeServerPorts, type RunningServer, SERVER_PORTS, type ServerPorts, serverEnv, startServer } from './server.ts';
import { registerNamespace, setupSchema } from './start.ts';

export const CLUSTER_ROLES = ['history-1', 'history-2', 'matching', 'worker', 'frontend'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

/** More than one shard per history host, so a host's death moves several shards (Compose's single server has 4). */
export const HISTORY_SHARDS = 8;

export interface ClusterOptions {
  binaries: SelfHostedBinaries;
  /** The `temporal` CLI the namespace script runs. */
  cli: string;
  /** Databases of the cluster's own: the shard count is fixed when a database is first used. */
  postgres: PostgresSettings;
  namespace: string;
  retention: string;
  /** Compose's ports, the second history host's beside them, for a cluster in its place; free ones otherwise. */
  composePorts?: boolean;
  /** Each process logs to cluster-<role>.log here. */
  logDir: string;
  say: (line: string) => void;
}

export interface ClusterExit {
  role: ClusterRole;
  code: number | null;
}

export type RunningCluster = Awaited<ReturnType<typeof startCluster>>;

/**
 * Brings the schemas up to date, starts every role (one first, alone; the frontend last: it answers once it can
 * reach the rest) and registers the namespace.
 */
export async function startCluster(options: ClusterOptions) {
  const { binaries, postgres, say } = options;
  await setupSchema(binaries, postgres, say);
  const ports: ServerPorts & Record<'HISTORY_2_GRPC_PORT' | 'HISTORY_2_MEMBERSHIP_PORT', number> = options.composePorts
    ? { ...SERVER_PORTS, HISTORY_2_GRPC_PORT: 7238, HISTORY_2_MEMBERSHIP_PORT: 6938 }
    : await freeServerPorts(['HISTORY_2_GRPC_PORT', 'HISTORY_2_MEMBERSHIP_PORT']);
  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const base = { ...serverEnv(postgres, ports), NUM_HISTORY_SHARDS: String(HISTORY_SHARDS) };
  // The second history host is the template's history service on ports of its own.
  const env = (role: ClusterRole) =>
    role === 'history-2'
      ? { ...base, HISTORY_GRPC_PORT: String(ports.HISTORY_2_GRPC_PORT), HISTORY_MEMBERSHIP_PORT: String(ports.HISTORY_2_MEMBERSHIP_PORT) }
      : base;
  const running = new Map<ClusterRole, RunningServer>();
  /** Roles being stopped or killed on purpose: their exit is no news. */
  const leaving = new Set<ClusterRole>();
  const unplanned = Promise.withResolvers<ClusterExit>();

  /** Set by stop(): a start still in progress stops what it started instead of keeping it. */
  let closed = false;
  const start = async (role: ClusterRole) => {
    if (closed) throw new Error(`the cluster is stopping: ${role} not started`);
    const server = await startServer(binaries.server, env(role), address, `${options.logDir}/cluster-${role}.log`, [role.replace(/-\d$/, '')]);
    if (closed) return server.stop();
    running.set(role, server);
    leaving.delete(role);
    void server.exited.then((code) => {
      if (!leaving.has(role) && running.get(role) === server) unplanned.resolve({ role, code });
    });
  };
  const stop = async (role: ClusterRole, signal?: NodeJS.Signals) => {
    leaving.add(role);
    await running.get(role)?.stop(signal);
  };

  try {
    const [firstRole, ...others] = CLUSTER_ROLES;
    await start(firstRole);
    await metadataWritten(postgres, () => running.get(firstRole)?.child.exitCode !== null);
    for (const role of others) await start(role);
    await registerNamespace({ cli: options.cli, address, namespace: options.namespace, retention: options.retention, say });
  } catch (error) {
    await Promise.all(CLUSTER_ROLES.map((role) => stop(role)));
    throw error;
  }
  return {
    address,
    /** Resolves with the first process that exits on its own: a fault of nobody's making. */
    unplannedExit: unplanned.promise,
    pid: (role: ClusterRole) => running.get(role)?.child.pid,
    /** SIGKILL: the host gets no chance to hand its shards over. */
    kill: (role: ClusterRole) => stop(role, 'SIGKILL'),
    /** A rolling restart's step: SIGTERM, wait until it is gone, start it again. */
    restart: async (role: ClusterRole) => {
      await stop(role);
      await start(role);
    },
    stop: async () => {
      closed = true;
      await Promise.all(CLUSTER_ROLES.map((role) => stop(role)));
    },
    /** Synchronous, for the last moment of the script's own process. */
    stopNow: () => {
      closed = true;
      for (const role of CLUSTER_ROLES) {
        leaving.add(role);
        running.get(role)?.child.kill('SIGKILL');
      }
    },
  };
}

/**
 * Waits until the first process has written the cluster's metadata record. On an empty database every process
 * writes it at start-up, and two at once race for it: the loser exits (duplicate key on cluster_metadata_info,
 * seen in CI).
 */
async function metadataWritten(postgres: PostgresSettings, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  const client = new pg.Client({ ...postgres, database: postgres.db });
  await client.connect();
  try {
    while ((await client.query('SELECT 1 FROM cluster_metadata_info LIMIT 1')).rowCount === 0) {
      if (exited()) throw new Error('the first Temporal server process exited before it wrote the cluster metadata');
      if (Date.now() > deadline) throw new Error('the first Temporal server process did not write the cluster metadata within 60 s');
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}
