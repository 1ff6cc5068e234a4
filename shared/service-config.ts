// What every process reads from the environment, as one zod schema. The two services load only this
// part, so they neither read nor check Temporal's settings; shared/config.ts extends it.
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

/** A rule's words, then the value given: `must be a number from 0 to 1 (got "2")`. Not for secrets. */
export const got = (rule: string) => ({ error: (issue: { input?: unknown }) => `${rule} (got "${String(issue.input)}")` });
/** A port (0: any free one), refused in the words of `rule`. */
export const port = (rule = got('must be a whole number from 0 to 65535')) =>
  z
    .string()
    .regex(/^\d{1,5}$/, rule)
    .transform(Number)
    .pipe(z.number().max(65535, rule));
const number = (min: number, max: number) => {
  const rule = got(`must be a number from ${min} to ${max}`);
  return z
    .string()
    .refine((raw) => Number.isFinite(Number(raw)), rule)
    .transform(Number)
    .pipe(z.number().min(min, rule).max(max, rule));
};
export const httpUrl = z
  .string()
  .refine((raw) => URL.canParse(raw), { ...got('must be an absolute http(s) URL such as http://localhost:3001'), abort: true })
  .refine((raw) => ['http:', 'https:'].includes(new URL(raw).protocol), got('must use http:// or https://'))
  .transform((raw) => raw.replace(/\/+$/, ''));
export const noSpaces = z.string().regex(/^\S+$/, got('must not contain spaces'));

/** The variables every process reads. Unset or blank means the default (or, where there is none, absent). */
export const SERVICE_ENV = z.object({
  SERVER_A_PORT: port().prefault('3001'),
  SERVER_B_PORT: port().prefault('3002'),
  SERVER_A_URL: httpUrl.optional().meta({ default: 'http://localhost:<SERVER_A_PORT>' }),
  SERVER_B_URL: httpUrl.optional().meta({ default: 'http://localhost:<SERVER_B_PORT>' }),
  SERVER_A_DB: z.string().prefault('.data/server-a.db'),
  SERVER_B_DB: z.string().prefault('.data/server-b.db'),
  FAULT_AFTER_APPLY: z.enum(['503', 'drop'], got('must be empty, 503 or drop')).optional(),
  FAULT_RATE: number(0, 1).prefault('1'),
  SERVICE_HOST: noSpaces.prefault('127.0.0.1'),
  SERVICE_TOKEN: z
    .string()
    .regex(/^\S{16,}$/, 'must be at least 16 characters with no spaces (or empty for no authentication)')
    .optional(),
  THIRD_PARTY_LATENCY_MS: number(0, 60_000).prefault('300'),
  THIRD_PARTY_FAILURE_RATE: number(0, 1).prefault('0.2'),
  TRACES: z
    .string()
    .regex(/^(off|console|file:.+)$/, got('must be off, console or file:<path>, for example file:.data/traces.jsonl'))
    .prefault('off'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, got(`must be one of ${LOG_LEVELS.join(', ')}`)).prefault('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], got('must be json or pretty')).prefault('json'),
});

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The variables of `schema` from `env` (blank counts as unset); throws ConfigError naming each bad one, then `otherProblems`. */
export function readEnv<S extends z.ZodObject>(schema: S, env: Env, otherProblems: string[] = []) {
  const input = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, env[name]?.trim() || undefined]));
  const parsed = schema.safeParse(input);
  const problems = (parsed.error?.issues ?? []).map((issue) => `${String(issue.path[0])} ${issue.message}`).concat(otherProblems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

export type ServiceConfig = ReturnType<typeof serviceConfig>;

/** The services' part of the configuration, grouped by who reads it (each described in docs/configuration.md). */
export function serviceConfig(v: z.output<typeof SERVICE_ENV>) {
  return {
    serverA: { port: v.SERVER_A_PORT, url: v.SERVER_A_URL ?? `http://localhost:${v.SERVER_A_PORT}`, database: v.SERVER_A_DB },
    serverB: { port: v.SERVER_B_PORT, url: v.SERVER_B_URL ?? `http://localhost:${v.SERVER_B_PORT}`, database: v.SERVER_B_DB },
    faults: { afterApply: v.FAULT_AFTER_APPLY, rate: v.FAULT_RATE },
    serviceHost: v.SERVICE_HOST,
    serviceToken: v.SERVICE_TOKEN,
    thirdParty: { latencyMs: v.THIRD_PARTY_LATENCY_MS, failureRate: v.THIRD_PARTY_FAILURE_RATE },
    traces: {
      console: v.TRACES === 'console',
      file: v.TRACES.startsWith('file:') ? v.TRACES.slice('file:'.length) : undefined,
      otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
  };
}

/** Reads the services' variables; throws ConfigError naming every bad one. */
export function loadServiceConfig(env: Env = process.env): ServiceConfig {
  return serviceConfig(readEnv(SERVICE_ENV, env));
}

/** For entry points: loads `.env` (real variables win over it), runs `load`, and on a bad value names it and exits 2. */
export function orExit<T>(load: () => T): T {
  loadDotenv({ quiet: true });
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
    process.exit(2);
  }
}
