// The one place that reads the environment: one zod schema of every variable with its default and bounds (the
// services' part is service-config.ts), then the Temporal profile. A bad value stops the process at its start.
import { existsSync, readFileSync } from 'node:fs';
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import { z } from 'zod';
import { type Env, got, httpUrl, noSpaces, port, readEnv, SERVICE_ENV, serviceConfig } from './service-config.ts';

export { ConfigError, orExit } from './service-config.ts';

/** A worker's share of the work: all of it, the workflows only, or the activities that call one service. */
const WORKER_ROLES = ['all', 'orchestrator', 'server-a', 'server-b'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

const KEYS_RULE = 'must be id:key pairs separated by commas, each key 32 random bytes in base64 (make one with: openssl rand -base64 32)';
const METRICS_PORT = got('must be a port from 0 to 65535 (0: any free port) or off');

const PER_MINUTE = got('must be a whole number from 1 to 100000');
const perMinute = z
  .string()
  .regex(/^\d{1,6}$/, PER_MINUTE)
  .transform(Number)
  .pipe(z.number().min(1, PER_MINUTE).max(100_000, PER_MINUTE));

/** Every variable the project reads. Unset or blank means the default (or, where there is none, absent). */
const ENV = SERVICE_ENV.extend({
  API_PORT: port().prefault('3003'),
  API_TOKENS_FILE: z.string().prefault('.data/api-tokens.json'),
  API_TOKENS: z.string().optional(),
  API_AUTH_FAILURES_PER_MINUTE: perMinute.prefault('10'),
  API_STARTS_PER_MINUTE: perMinute.prefault('60'),
  WORKER_METRICS_PORT: z.union([z.literal('off').transform(() => undefined), port(METRICS_PORT)], METRICS_PORT).prefault('9464'),
  WORKER_ROLE: z.enum(WORKER_ROLES, got(`must be one of ${WORKER_ROLES.join(', ')}`)).prefault('all'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$|^\[[\da-fA-F:]+\]:\d{1,5}$/, got('must be host:port, for example localhost:7233'))
    .prefault('localhost:7233'),
  TEMPORAL_NAMESPACE: noSpaces.prefault('default'),
  TEMPORAL_TASK_QUEUE: noSpaces.prefault('multi-server-queue'),
  TEMPORAL_UI_URL: httpUrl.optional(),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_DEV_DB: z.string().prefault('.temporal/dev-server.db'),
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .transform((raw, ctx) => {
      const keys = raw.split(',').map((entry) => {
        const [id = '', base64 = ''] = entry.trim().split(':');
        return { id, key: Buffer.from(base64, 'base64'), base64 };
      });
      // Named by position, never by content: the entry may be a key.
      const bad = keys.findIndex(({ id, key, base64 }) => !/^[\w.-]{1,64}$/.test(id) || key.length !== 32 || key.toString('base64') !== base64);
      if (bad >= 0) ctx.addIssue({ code: 'custom', message: `${KEYS_RULE}; entry ${bad + 1} is not` });
      else if (new Set(keys.map((k) => k.id)).size !== keys.length) ctx.addIssue({ code: 'custom', message: 'has the same key id twice' });
      return keys.map(({ id, key }) => ({ id, key }));
    })
    .optional(),
  CODEC_SERVER_PORT: port().prefault('8888'),
  CODEC_SERVER_AUTH: z.string().optional(),
  POSTGRES_HOST: noSpaces.prefault('127.0.0.1'),
  POSTGRES_PORT: port().prefault('5432'),
  POSTGRES_USER: noSpaces.prefault('temporal'),
  POSTGRES_PASSWORD: noSpaces.prefault('temporal'),
  POSTGRES_DB: noSpaces.prefault('temporal'),
});

export type EnvName = keyof typeof ENV.shape;
/** Each variable's default as .env.example shows it ('' for "absent"), read from the schema. */
export const ENV_DEFAULTS = Object.fromEntries(
  Object.entries(ENV.shape).map(([name, schema]) => [
    name,
    schema instanceof z.ZodPrefault ? String(schema.def.defaultValue) : String(schema.meta()?.default ?? ''),
  ]),
) as Record<EnvName, string>;

export type Config = ReturnType<typeof assemble>;
/** An AES-256 key (32 bytes) and the id that names it in the payloads it encrypts. */
export type PayloadKey = Config['codec']['keys'][number];

/** The checked variables, grouped by who reads them (each described in docs/configuration.md). */
function assemble(v: z.output<typeof ENV>, profile: ReturnType<typeof readTemporalProfile>) {
  return {
    ...serviceConfig(v),
    api: {
      port: v.API_PORT,
      /** Who may call it: API_TOKENS (JSON) when set, else the file; hashes only (api/auth/identities.ts). */
      tokens: { file: v.API_TOKENS_FILE, inline: v.API_TOKENS },
      limits: { failuresPerMinute: v.API_AUTH_FAILURES_PER_MINUTE, startsPerMinute: v.API_STARTS_PER_MINUTE },
    },
    workerMetricsPort: v.WORKER_METRICS_PORT,
    workerRole: v.WORKER_ROLE,
    temporal: {
      address: v.TEMPORAL_ADDRESS,
      namespace: v.TEMPORAL_NAMESPACE,
      taskQueue: v.TEMPORAL_TASK_QUEUE,
      uiUrl: v.TEMPORAL_UI_URL,
      cliPath: v.TEMPORAL_CLI_PATH,
      devDbFile: v.TEMPORAL_DEV_DB,
      /** TLS, API key and gRPC headers, from the envconfig profile (see readTemporalProfile). */
      security: { tls: profile?.tls, apiKey: profile?.apiKey, metadata: profile?.metadata },
    },
    /** Payload encryption: the first key encrypts, every key decrypts (old histories stay readable after a rotation). */
    codec: { keys: v.PAYLOAD_ENCRYPTION_KEYS ?? [], serverPort: v.CODEC_SERVER_PORT, serverAuth: v.CODEC_SERVER_AUTH },
    postgres: { host: v.POSTGRES_HOST, port: v.POSTGRES_PORT, user: v.POSTGRES_USER, password: v.POSTGRES_PASSWORD, db: v.POSTGRES_DB },
  };
}

/** Reads and validates the given environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  // The Temporal profile (TOML file and TEMPORAL_* variables) decides the address and namespace first.
  const profileProblems: string[] = [];
  const profile = readTemporalProfile(env, profileProblems);
  const values = readEnv(ENV, { ...env, TEMPORAL_ADDRESS: profile?.address, TEMPORAL_NAMESPACE: profile?.namespace }, profileProblems);
  return assemble(values, profile);
}

// ---- the Temporal profile: TLS, an API key and gRPC headers, read the way every Temporal SDK and the
// `temporal` CLI read them (@temporalio/envconfig; variables in docs/production.md), so one temporal.toml
// serves this project, the `temporal` CLI and any other SDK alike ----

/** Reads the profile; a problem (unreadable file, unknown profile, missing certificate) is added to `problems`. The
 *  address and namespace only when the profile or the environment names one; tls true: the system's CAs, an object:
 *  a custom CA, client certificate (mTLS) or server name. */
function readTemporalProfile(env: Env, problems: string[]) {
  // Empty variables count as unset, as everywhere else in this project's configuration.
  const set = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));
  // The SDK treats a missing file as "no file", which would silently connect without the TLS it holds.
  if (set.TEMPORAL_CONFIG_FILE !== undefined && !existsSync(set.TEMPORAL_CONFIG_FILE)) {
    problems.push(`TEMPORAL_CONFIG_FILE names a file that does not exist (${set.TEMPORAL_CONFIG_FILE})`);
    return undefined;
  }
  const source = set.TEMPORAL_PROFILE ? `profile "${set.TEMPORAL_PROFILE}"` : 'the Temporal profile';
  try {
    // toClientOptions reads the certificate files, and turns TLS on for an API key unless it is switched off.
    // The SDK fails on a file without any profile (an empty one, say) with a TypeError; that file holds no settings.
    const noProfiles = set.TEMPORAL_CONFIG_FILE !== undefined && !/^\s*\[/m.test(readFileSync(set.TEMPORAL_CONFIG_FILE, 'utf8'));
    const profile = loadClientConfigProfile({ overrideEnvVars: set, configFileStrict: true, disableFile: noProfiles && !set.TEMPORAL_PROFILE });
    const { namespace, connectionOptions } = toClientOptions(profile);
    const { address, tls, apiKey, metadata = {} } = connectionOptions;
    const headers = Object.keys(metadata).length > 0 ? (metadata as Record<string, string>) : undefined;
    return { address, namespace, tls: tls ?? undefined, apiKey: apiKey as string | undefined, metadata: headers };
  } catch (error) {
    problems.push(`${source} cannot be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return undefined;
  }
}
