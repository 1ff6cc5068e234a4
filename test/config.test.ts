// loadConfig: every variable's default, every override, and a ConfigError naming each bad variable and the fix.
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../shared/config.ts';
import { loadServiceConfig } from '../shared/service-config.ts';

const DEFAULTS: Config = {
  serverA: { port: 3001, url: 'http://localhost:3001', database: '.data/server-a.db' },
  serverB: { port: 3002, url: 'http://localhost:3002', database: '.data/server-b.db' },
  api: { port: 3003, tokens: { file: '.data/api-tokens.json', inline: undefined }, limits: { failuresPerMinute: 10, startsPerMinute: 60 } },
  faults: { afterApply: undefined, rate: 1 },
  serviceHost: '127.0.0.1',
  serviceToken: undefined,
  workerMetricsPort: 9464,
  workerRole: 'all',
  thirdParty: { latencyMs: 300, failureRate: 0.2 },
  temporal: {
    address: 'localhost:7233',
    namespace: 'default',
    taskQueue: 'multi-server-queue',
    uiUrl: undefined,
    cliPath: undefined,
    devDbFile: '.temporal/dev-server.db',
    security: { tls: undefined, apiKey: undefined, metadata: undefined },
  },
  codec: { keys: [], serverPort: 8888, serverAuth: undefined },
  traces: { console: false, file: undefined, otlpEndpoint: undefined },
  postgres: { host: '127.0.0.1', port: 5432, user: 'temporal', password: 'temporal', db: 'temporal' },
  logLevel: 'info',
  logFormat: 'json',
};

const KEY_1 = Buffer.alloc(32, 1).toString('base64');
const KEY_2 = Buffer.alloc(32, 2).toString('base64');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  test('an empty environment gives every documented default', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  test('empty and blank values count as unset', () => {
    expect(loadConfig({ SERVER_A_PORT: '', SERVER_A_URL: '   ', LOG_LEVEL: ' ', THIRD_PARTY_FAILURE_RATE: '' })).toEqual(DEFAULTS);
  });

  test('service URLs are derived from the ports when the URL variables are unset', () => {
    const config = loadConfig({ SERVER_A_PORT: '4001', SERVER_B_PORT: '4002' });

    expect(config.serverA).toMatchObject({ port: 4001, url: 'http://localhost:4001' });
    expect(config.serverB).toMatchObject({ port: 4002, url: 'http://localhost:4002' });
  });

  test('port 0 (any free port) is accepted', () => {
    expect(loadConfig({ SERVER_A_PORT: '0' }).serverA.port).toBe(0);
  });

  test("the worker's metrics endpoint: on port 9464 by default, 0 for any free port, off for none", () => {
    expect(loadConfig({}).workerMetricsPort).toBe(9464);
    expect(loadConfig({ WORKER_METRICS_PORT: '0' }).workerMetricsPort).toBe(0);
    expect(loadConfig({ WORKER_METRICS_PORT: 'off' }).workerMetricsPort).toBeUndefined();
    expect(loadConfig({ WORKER_ROLE: 'orchestrator' }).workerRole).toBe('orchestrator');
    expect(() => loadConfig({ WORKER_ROLE: 'server-c' })).toThrow('WORKER_ROLE must be one of all, orchestrator, server-a, server-b (got "server-c")');
  });
});

describe('loadConfig overrides', () => {
  test('every variable can be overridden', () => {
    const config = loadConfig({
      SERVER_A_PORT: '5001',
      SERVER_B_PORT: '5002',
      API_PORT: '5003',
      SERVER_A_URL: 'http://server-a.internal:8080',
      SERVER_B_URL: 'https://server-b.example.com',
      SERVER_A_DB: '/var/lib/a.db',
      SERVER_B_DB: ':memory:',
      FAULT_AFTER_APPLY: 'drop',
      FAULT_RATE: '0.25',
      SERVICE_HOST: '0.0.0.0',
      SERVICE_TOKEN: 'a-long-shared-secret',
      WORKER_METRICS_PORT: '9500',
      WORKER_ROLE: 'server-b',
      THIRD_PARTY_LATENCY_MS: '0',
      THIRD_PARTY_FAILURE_RATE: '1',
      TEMPORAL_ADDRESS: 'temporal.internal:7234',
      TEMPORAL_NAMESPACE: 'staging',
      TEMPORAL_TASK_QUEUE: 'other-queue',
      TEMPORAL_UI_URL: 'http://localhost:8233',
      TEMPORAL_CLI_PATH: '/opt/temporal/bin/temporal',
      TEMPORAL_DEV_DB: '/tmp/dev.db',
      PAYLOAD_ENCRYPTION_KEYS: `k2:${KEY_2},k1:${KEY_1}`,
      CODEC_SERVER_PORT: '9999',
      CODEC_SERVER_AUTH: 'Bearer codec-secret',
      API_TOKENS_FILE: '/etc/api/tokens.json',
      API_TOKENS: '[]',
      API_AUTH_FAILURES_PER_MINUTE: '3',
      API_STARTS_PER_MINUTE: '500',
      TRACES: 'file:.data/traces.jsonl',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/',
      POSTGRES_HOST: 'db.internal',
      POSTGRES_PORT: '6543',
      POSTGRES_USER: 'app',
      POSTGRES_PASSWORD: 's3cret',
      POSTGRES_DB: 'workflows',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
    });

    expect(config).toEqual({
      serverA: { port: 5001, url: 'http://server-a.internal:8080', database: '/var/lib/a.db' },
      serverB: { port: 5002, url: 'https://server-b.example.com', database: ':memory:' },
      api: { port: 5003, tokens: { file: '/etc/api/tokens.json', inline: '[]' }, limits: { failuresPerMinute: 3, startsPerMinute: 500 } },
      faults: { afterApply: 'drop', rate: 0.25 },
      serviceHost: '0.0.0.0',
      serviceToken: 'a-long-shared-secret',
      workerMetricsPort: 9500,
      workerRole: 'server-b',
      thirdParty: { latencyMs: 0, failureRate: 1 },
      temporal: {
        address: 'temporal.internal:7234',
        namespace: 'staging',
        taskQueue: 'other-queue',
        uiUrl: 'http://localhost:8233',
        cliPath: '/opt/temporal/bin/temporal',
        devDbFile: '/tmp/dev.db',
        security: { tls: undefined, apiKey: undefined, metadata: undefined },
      },
      codec: {
        keys: [
          { id: 'k2', key: Buffer.from(KEY_2, 'base64') },
          { id: 'k1', key: Buffer.from(KEY_1, 'base64') },
        ],
        serverPort: 9999,
        serverAuth: 'Bearer codec-secret',
      },
      traces: { console: false, file: '.data/traces.jsonl', otlpEndpoint: 'http://localhost:4318' },
      postgres: { host: 'db.internal', port: 6543, user: 'app', password: 's3cret', db: 'workflows' },
      logLevel: 'debug',
      logFormat: 'pretty',
    } satisfies Config);
  });

  test('values are trimmed', () => {
    const config = loadConfig({ SERVER_A_PORT: ' 3005 ', LOG_LEVEL: ' warn\n', THIRD_PARTY_LATENCY_MS: ' 25 ' });

    expect(config.serverA).toMatchObject({ port: 3005, url: 'http://localhost:3005' });
    expect(config.logLevel).toBe('warn');
    expect(config.thirdParty.latencyMs).toBe(25);
  });

  test('an IPv6 TEMPORAL_ADDRESS in brackets is accepted', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: '[::1]:7233' }).temporal.address).toBe('[::1]:7233');
  });

  test('fractional third-party settings are kept as numbers', () => {
    expect(loadConfig({ THIRD_PARTY_LATENCY_MS: '12.5', THIRD_PARTY_FAILURE_RATE: '0.05' }).thirdParty).toEqual({
      latencyMs: 12.5,
      failureRate: 0.05,
    });
  });

  test('trailing slashes of URLs are removed', () => {
    const config = loadConfig({
      SERVER_A_URL: 'http://server-a.internal:8080/',
      SERVER_B_URL: 'https://server-b.example.com/api//',
      TEMPORAL_UI_URL: 'http://localhost:8233/',
    });

    expect(config.serverA.url).toBe('http://server-a.internal:8080');
    expect(config.serverB.url).toBe('https://server-b.example.com/api');
    expect(config.temporal.uiUrl).toBe('http://localhost:8233');
  });
});

describe('loadConfig rejects bad values with a ConfigError naming the variable', () => {
  test.each([
    ['SERVER_A_PORT', 'abc', 'SERVER_A_PORT must be a whole number from 0 to 65535 (got "abc")'],
    ['SERVER_B_PORT', '70000', 'SERVER_B_PORT must be a whole number from 0 to 65535 (got "70000")'],
    ['SERVER_A_PORT', '-1', 'SERVER_A_PORT must be a whole number from 0 to 65535 (got "-1")'],
    ['SERVER_B_PORT', '3002.5', 'SERVER_B_PORT must be a whole number from 0 to 65535 (got "3002.5")'],
    ['SERVER_A_URL', 'localhost:3001', 'SERVER_A_URL must use http:// or https:// (got "localhost:3001")'],
    ['SERVER_B_URL', 'server-b', 'SERVER_B_URL must be an absolute http(s) URL such as http://localhost:3001 (got "server-b")'],
    ['TEMPORAL_UI_URL', 'ftp://files.example.com', 'TEMPORAL_UI_URL must use http:// or https:// (got "ftp://files.example.com")'],
    ['TEMPORAL_ADDRESS', 'localhost', 'TEMPORAL_ADDRESS must be host:port, for example localhost:7233 (got "localhost")'],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233', 'TEMPORAL_ADDRESS must be host:port, for example localhost:7233 (got "http://localhost:7233")'],
    ['WORKER_METRICS_PORT', 'on', 'WORKER_METRICS_PORT must be a port from 0 to 65535 (0: any free port) or off (got "on")'],
    ['WORKER_METRICS_PORT', '70000', 'WORKER_METRICS_PORT must be a port from 0 to 65535 (0: any free port) or off (got "70000")'],
    ['LOG_FORMAT', 'fancy', 'LOG_FORMAT must be json or pretty (got "fancy")'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    ['THIRD_PARTY_FAILURE_RATE', '2', 'THIRD_PARTY_FAILURE_RATE must be a number from 0 to 1 (got "2")'],
    ['THIRD_PARTY_LATENCY_MS', 'fast', 'THIRD_PARTY_LATENCY_MS must be a number from 0 to 60000 (got "fast")'],
    ['TEMPORAL_NAMESPACE', 'my namespace', 'TEMPORAL_NAMESPACE must not contain spaces (got "my namespace")'],
    ['CODEC_SERVER_PORT', 'x', 'CODEC_SERVER_PORT must be a whole number from 0 to 65535 (got "x")'],
    ['TRACES', 'jaeger', 'TRACES must be off, console or file:<path>, for example file:.data/traces.jsonl (got "jaeger")'],
    ['TRACES', 'file:', 'TRACES must be off, console or file:<path>, for example file:.data/traces.jsonl (got "file:")'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT must use http:// or https:// (got "localhost:4318")'],
    [
      'PAYLOAD_ENCRYPTION_KEYS',
      'k1:c2hvcnQ=',
      'PAYLOAD_ENCRYPTION_KEYS must be id:key pairs separated by commas, each key 32 random bytes in base64 (make one with: openssl rand -base64 32); entry 1 is not',
    ],
    [
      'PAYLOAD_ENCRYPTION_KEYS',
      Buffer.alloc(32).toString('base64'),
      'PAYLOAD_ENCRYPTION_KEYS must be id:key pairs separated by commas, each key 32 random bytes in base64 (make one with: openssl rand -base64 32); entry 1 is not',
    ],
    [
      'PAYLOAD_ENCRYPTION_KEYS',
      `a:${Buffer.alloc(32).toString('base64')},a:${Buffer.alloc(32, 9).toString('base64')}`,
      'PAYLOAD_ENCRYPTION_KEYS has the same key id twice',
    ],
    ['TEMPORAL_CONFIG_FILE', '/nonexistent/temporal.toml', 'TEMPORAL_CONFIG_FILE names a file that does not exist (/nonexistent/temporal.toml)'],
  ])('%s=%j', (name, value, problem) => {
    const error = configError({ [name]: value });

    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual([problem]);
    expect(error.message).toBe(`Invalid configuration:\n  - ${problem}`);
  });

  test('several bad values are all named in one error: what every process reads first, then the rest', () => {
    const error = configError({
      SERVER_A_PORT: 'abc',
      SERVER_B_URL: 'ftp://server-b',
      TEMPORAL_ADDRESS: 'localhost',
      LOG_LEVEL: 'loud',
      THIRD_PARTY_FAILURE_RATE: '2',
    });

    expect(error.problems).toEqual([
      'SERVER_A_PORT must be a whole number from 0 to 65535 (got "abc")',
      'SERVER_B_URL must use http:// or https:// (got "ftp://server-b")',
      'THIRD_PARTY_FAILURE_RATE must be a number from 0 to 1 (got "2")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'TEMPORAL_ADDRESS must be host:port, for example localhost:7233 (got "localhost")',
    ]);
    for (const name of ['SERVER_A_PORT', 'SERVER_B_URL', 'TEMPORAL_ADDRESS', 'LOG_LEVEL', 'THIRD_PARTY_FAILURE_RATE']) {
      expect(error.message).toContain(`  - ${name} must`);
    }
  });
});

describe('loadServiceConfig (what the two services read)', () => {
  test("gives the same values as loadConfig's services' part", () => {
    const env = { SERVER_B_PORT: '4002', FAULT_AFTER_APPLY: 'drop', TRACES: 'console', LOG_FORMAT: 'pretty' };
    const { serverA, serverB, faults, serviceHost, serviceToken, thirdParty, traces, logLevel, logFormat } = loadConfig(env);
    expect(loadServiceConfig(env)).toEqual({ serverA, serverB, faults, serviceHost, serviceToken, thirdParty, traces, logLevel, logFormat });
  });

  test('does not stop a service for a Temporal setting it never uses, and still names its own bad values', () => {
    expect(() => loadServiceConfig({ TEMPORAL_ADDRESS: 'localhost', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })).not.toThrow();
    expect(() => loadServiceConfig({ SERVER_B_PORT: 'x' })).toThrow('SERVER_B_PORT must be a whole number from 0 to 65535 (got "x")');
  });
});
