// The one place that reads the environment. Every entry point calls loadConfig() (or
// loadConfigOrExit()) once at start, so a bad value stops the process before it does anything.
import { config as loadDotenv } from 'dotenv';
import { readTemporalProfile, type TemporalProfile } from './temporal-profile.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** A worker's share of the work: all of it, the workflows only, or the activities that call one service. */
export const WORKER_ROLES = ['all', 'orchestrator', 'server-a', 'server-b'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface PayloadKey {
  id: string;
  /** 32 bytes: AES-256. */
  key: Buffer;
}

export interface Config {
  serverA: { port: number; url: string; database: string };
  serverB: { port: number; url: string; database: string };
  /** The HTTP API over the workflows (api/index.ts), on serviceHost. */
  api: { port: number };
  /** The services' fault knob: fail this share of changes after applying them (for retries to prove exactly-once). */
  faults: { afterApply: '503' | 'drop' | undefined; rate: number };
  /** Interface the two services, and the worker's metrics endpoint, bind to. */
  serviceHost: string;
  /** Shared secret the services require and the worker sends; undefined: no authentication (the quick start). */
  serviceToken: string | undefined;
  /** Port of the worker's Prometheus endpoint (GET /metrics) on serviceHost; 0: any free port; undefined: off. */
  workerMetricsPort: number | undefined;
  /** What this worker process polls: everything (the default), only the workflows, or one service's activities. */
  workerRole: WorkerRole;
  thirdParty: { latencyMs: number; failureRate: number };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /** Base URL of the Web UI for the client's links; undefined: find the UI of the server in use. */
    uiUrl: string | undefined;
    /** Path of a `temporal` CLI binary, when it is not on PATH. */
    cliPath: string | undefined;
    /** SQLite file of the dev server that `npm run temporal:dev` starts (relative to the project root). */
    devDbFile: string;
    /** TLS, API key and gRPC headers, from the envconfig profile (see temporal-profile.ts). */
    security: Pick<TemporalProfile, 'tls' | 'apiKey' | 'metadata'>;
  };
  /** Payload encryption: the first key encrypts, every key decrypts (so old histories stay readable after a rotation). */
  codec: { keys: PayloadKey[]; serverPort: number; serverAuth: string | undefined };
  /** Where each process sends its spans (shared/tracing/): nowhere by default. */
  traces: { console: boolean; file: string | undefined; otlpEndpoint: string | undefined };
  postgres: { user: string; password: string; db: string };
  logLevel: LogLevel;
  /** json: one object per line (production, tests); pretty: short readable lines (development). */
  logFormat: LogFormat;
}

/** Every variable the project reads, with its default; .env.example documents the same list. */
export const ENV_DEFAULTS = {
  SERVER_A_PORT: '3001',
  SERVER_B_PORT: '3002',
  API_PORT: '3003',
  SERVER_A_URL: 'http://localhost:<SERVER_A_PORT>',
  SERVER_B_URL: 'http://localhost:<SERVER_B_PORT>',
  SERVER_A_DB: '.data/server-a.db',
  SERVER_B_DB: '.data/server-b.db',
  FAULT_AFTER_APPLY: '',
  FAULT_RATE: '1',
  SERVICE_HOST: '127.0.0.1',
  SERVICE_TOKEN: '',
  WORKER_METRICS_PORT: '9464',
  WORKER_ROLE: 'all',
  THIRD_PARTY_LATENCY_MS: '300',
  THIRD_PARTY_FAILURE_RATE: '0.2',
  TEMPORAL_ADDRESS: 'localhost:7233',
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_TASK_QUEUE: 'multi-server-queue',
  TEMPORAL_UI_URL: '',
  TEMPORAL_CLI_PATH: '',
  TEMPORAL_DEV_DB: '.temporal/dev-server.db',
  PAYLOAD_ENCRYPTION_KEYS: '',
  CODEC_SERVER_PORT: '8888',
  CODEC_SERVER_AUTH: '',
  TRACES: 'off',
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  POSTGRES_USER: 'temporal',
  POSTGRES_PASSWORD: 'temporal',
  POSTGRES_DB: 'temporal',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
} as const;

export type EnvName = keyof typeof ENV_DEFAULTS;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the given environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: EnvName): string => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? ENV_DEFAULTS[name] : value;
  };
  const port = (name: EnvName): number => {
    const raw = read(name);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value > 65535) {
      problems.push(`${name} must be a whole number from 0 to 65535 (got "${raw}")`);
      return 0;
    }
    return value;
  };
  const number = (name: EnvName, min: number, max: number): number => {
    const raw = read(name);
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
      return min;
    }
    return value;
  };
  const httpUrl = (name: EnvName, fallback: string): string => {
    const raw = env[name]?.trim() || fallback;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problems.push(`${name} must be an absolute http(s) URL such as http://localhost:3001 (got "${raw}")`);
      return raw;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push(`${name} must use http:// or https:// (got "${raw}")`);
    }
    return raw.replace(/\/+$/, '');
  };
  const nonEmpty = (name: EnvName, value = read(name)): string => {
    if (/\s/.test(value)) problems.push(`${name} must not contain spaces (got "${value}")`);
    return value;
  };
  const hostPort = (name: EnvName, value: string): string => {
    if (!/^[\w.-]+:\d{1,5}$|^\[[\da-fA-F:]+\]:\d{1,5}$/.test(value)) {
      problems.push(`${name} must be host:port, for example localhost:7233 (got "${value}")`);
    }
    return value;
  };

  const token = (): string | undefined => {
    const value = read('SERVICE_TOKEN');
    if (value === '') return undefined;
    if (value.length < 16 || /\s/.test(value)) problems.push('SERVICE_TOKEN must be at least 16 characters with no spaces (or empty for no authentication)');
    return value;
  };
  const metricsPort = (): number | undefined => {
    const raw = read('WORKER_METRICS_PORT');
    if (raw === 'off') return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
      problems.push(`WORKER_METRICS_PORT must be a port from 0 to 65535 (0: any free port) or off (got "${raw}")`);
    }
    return Number(raw);
  };
  const workerRole = (): WorkerRole => {
    const raw = read('WORKER_ROLE');
    if ((WORKER_ROLES as readonly string[]).includes(raw)) return raw as WorkerRole;
    problems.push(`WORKER_ROLE must be one of ${WORKER_ROLES.join(', ')} (got "${raw}")`);
    return 'all';
  };
  const payloadKeys = (): PayloadKey[] => {
    const raw = read('PAYLOAD_ENCRYPTION_KEYS');
    if (raw === '') return [];
    const keys = raw.split(',').map((entry, i) => {
      const [id = '', base64 = ''] = entry.trim().split(':');
      const key = Buffer.from(base64, 'base64');
      if (!/^[\w.-]{1,64}$/.test(id) || key.length !== 32 || key.toString('base64') !== base64) {
        // Named by position, never by content: the entry may be a key.
        problems.push(
          'PAYLOAD_ENCRYPTION_KEYS must be id:key pairs separated by commas, each key 32 random bytes in base64 ' +
            `(make one with: openssl rand -base64 32); entry ${i + 1} is not`,
        );
      }
      return { id, key };
    });
    if (new Set(keys.map((k) => k.id)).size !== keys.length) problems.push('PAYLOAD_ENCRYPTION_KEYS has the same key id twice');
    return keys;
  };
  const profile = readTemporalProfile(env, problems);
  const portA = port('SERVER_A_PORT');
  const portB = port('SERVER_B_PORT');
  const logLevel = read('LOG_LEVEL') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const logFormat = read('LOG_FORMAT') as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) problems.push(`LOG_FORMAT must be json or pretty (got "${logFormat}")`);
  const cliPath = read('TEMPORAL_CLI_PATH');
  const traces = read('TRACES');
  if (traces !== 'off' && traces !== 'console' && !/^file:.+/.test(traces)) {
    problems.push(`TRACES must be off, console or file:<path>, for example file:.data/traces.jsonl (got "${traces}")`);
  }

  const faultAfterApply = read('FAULT_AFTER_APPLY');
  if (faultAfterApply !== '' && faultAfterApply !== '503' && faultAfterApply !== 'drop') {
    problems.push(`FAULT_AFTER_APPLY must be empty, 503 or drop (got "${faultAfterApply}")`);
  }

  const config: Config = {
    serverA: { port: portA, url: httpUrl('SERVER_A_URL', `http://localhost:${portA}`), database: read('SERVER_A_DB') },
    serverB: { port: portB, url: httpUrl('SERVER_B_URL', `http://localhost:${portB}`), database: read('SERVER_B_DB') },
    api: { port: port('API_PORT') },
    faults: { afterApply: faultAfterApply === '503' || faultAfterApply === 'drop' ? faultAfterApply : undefined, rate: number('FAULT_RATE', 0, 1) },
    serviceHost: nonEmpty('SERVICE_HOST'),
    serviceToken: token(),
    workerMetricsPort: metricsPort(),
    workerRole: workerRole(),
    thirdParty: {
      latencyMs: number('THIRD_PARTY_LATENCY_MS', 0, 60_000),
      failureRate: number('THIRD_PARTY_FAILURE_RATE', 0, 1),
    },
    temporal: {
      address: hostPort('TEMPORAL_ADDRESS', profile.address ?? ENV_DEFAULTS.TEMPORAL_ADDRESS),
      namespace: nonEmpty('TEMPORAL_NAMESPACE', profile.namespace ?? read('TEMPORAL_NAMESPACE')),
      taskQueue: nonEmpty('TEMPORAL_TASK_QUEUE'),
      uiUrl: read('TEMPORAL_UI_URL') === '' ? undefined : httpUrl('TEMPORAL_UI_URL', ''),
      cliPath: cliPath === '' ? undefined : cliPath,
      devDbFile: read('TEMPORAL_DEV_DB'),
      security: { tls: profile.tls, apiKey: profile.apiKey, metadata: profile.metadata },
    },
    codec: {
      keys: payloadKeys(),
      serverPort: port('CODEC_SERVER_PORT'),
      serverAuth: read('CODEC_SERVER_AUTH') === '' ? undefined : read('CODEC_SERVER_AUTH'),
    },
    traces: {
      console: traces === 'console',
      file: traces.startsWith('file:') ? traces.slice('file:'.length) : undefined,
      otlpEndpoint: read('OTEL_EXPORTER_OTLP_ENDPOINT') === '' ? undefined : httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ''),
    },
    postgres: {
      user: nonEmpty('POSTGRES_USER'),
      password: nonEmpty('POSTGRES_PASSWORD'),
      db: nonEmpty('POSTGRES_DB'),
    },
    logLevel,
    logFormat,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * For entry points: loads `.env` (real environment variables win over it), validates, and on a bad
 * value prints which variable is wrong and exits with code 2 instead of starting half-configured.
 */
export function loadConfigOrExit(): Config {
  loadDotenv({ quiet: true });
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
    process.exit(2);
  }
}
