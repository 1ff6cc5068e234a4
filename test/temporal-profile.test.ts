// The Temporal connection settings as @temporalio/envconfig reads them (a temporal.toml profile, then
// TEMPORAL_* variables over it), as loadConfig hands them to every client and worker of the project.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type ConfigError, loadConfig } from '../shared/config.ts';
import { connectionOptions, describeSecurity } from '../temporal/connection-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'temporal-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const CA = file('ca.pem', 'CA PEM');
const CERT = file('client.pem', 'CLIENT CERT PEM');
const KEY = file('client.key', 'CLIENT KEY PEM');
const CONFIG = file(
  'temporal.toml',
  `
[profile.default]
address = "localhost:7233"

[profile.cloud]
address = "my-ns.a1b2c.tmprl.cloud:7233"
namespace = "my-ns.a1b2c"
api_key = "cloud-api-key"
[profile.cloud.grpc_meta]
x-team = "orders"

[profile.mtls]
address = "temporal.internal:7233"
namespace = "orders"
[profile.mtls.tls]
server_ca_cert_path = "${CA}"
client_cert_path = "${CERT}"
client_key_path = "${KEY}"
server_name = "temporal.internal"
`,
);

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig accepted it');
};

describe('connection settings from the environment', () => {
  test('by default: plaintext to localhost:7233, nothing else', () => {
    const config = loadConfig({});
    expect(connectionOptions(config.temporal)).toEqual({ address: 'localhost:7233', tls: undefined, apiKey: undefined, metadata: undefined });
    expect(describeSecurity(config.temporal)).toBe('plaintext');
  });

  test('TEMPORAL_API_KEY turns TLS on (an API key never travels in plaintext) unless TEMPORAL_TLS=false says otherwise', () => {
    const withKey = loadConfig({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' });
    expect(withKey.temporal.security).toEqual({ tls: true, apiKey: 'k', metadata: undefined });
    expect(describeSecurity(withKey.temporal)).toBe('TLS + API key');
    expect(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).temporal.security.tls).toBe(false);
  });

  test('TEMPORAL_TLS_* variables give mutual TLS with the files read', () => {
    const config = loadConfig({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: CA,
      TEMPORAL_TLS_CLIENT_CERT_PATH: CERT,
      TEMPORAL_TLS_CLIENT_KEY_PATH: KEY,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(config.temporal.security.tls).toEqual({
      serverNameOverride: 'temporal.internal',
      serverRootCACertificate: new TextEncoder().encode('CA PEM'),
      clientCertPair: { crt: new TextEncoder().encode('CLIENT CERT PEM'), key: new TextEncoder().encode('CLIENT KEY PEM') },
    });
    expect(describeSecurity(config.temporal)).toBe('mTLS');
  });
});

describe('connection settings from a temporal.toml profile', () => {
  test('TEMPORAL_PROFILE picks the profile: address, namespace, API key and gRPC headers from the file', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: CONFIG, TEMPORAL_PROFILE: 'cloud' });
    expect([config.temporal.address, config.temporal.namespace]).toEqual(['my-ns.a1b2c.tmprl.cloud:7233', 'my-ns.a1b2c']);
    expect(config.temporal.security).toEqual({ tls: true, apiKey: 'cloud-api-key', metadata: { 'x-team': 'orders' } });
  });

  test('without TEMPORAL_PROFILE the "default" profile is used', () => {
    expect(loadConfig({ TEMPORAL_CONFIG_FILE: CONFIG }).temporal.security).toEqual({ tls: undefined, apiKey: undefined, metadata: undefined });
  });

  test('a TLS profile reads its certificate files', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: CONFIG, TEMPORAL_PROFILE: 'mtls' });
    expect(config.temporal).toMatchObject({ address: 'temporal.internal:7233', namespace: 'orders' });
    expect(config.temporal.security.tls).toMatchObject({
      serverNameOverride: 'temporal.internal',
      clientCertPair: { crt: new TextEncoder().encode('CLIENT CERT PEM') },
    });
  });

  test('a config file without profiles (empty, or comments only) holds no settings', () => {
    const empty = file('empty.toml', '# nothing here yet\n');
    expect(loadConfig({ TEMPORAL_CONFIG_FILE: empty, TEMPORAL_ADDRESS: 'x:1' }).temporal).toMatchObject({
      address: 'x:1',
      security: { tls: undefined, apiKey: undefined },
    });
  });

  test('a .env copied from .env.example leaves the profile its address and namespace', () => {
    const dotenv = parse(readFileSync(fileURLToPath(new URL('../.env.example', import.meta.url)), 'utf8'));
    const config = loadConfig({ ...dotenv, TEMPORAL_CONFIG_FILE: CONFIG, TEMPORAL_PROFILE: 'mtls' });
    expect([config.temporal.address, config.temporal.namespace]).toEqual(['temporal.internal:7233', 'orders']);
  });

  test('environment variables win over the profile', () => {
    const config = loadConfig({
      TEMPORAL_CONFIG_FILE: CONFIG,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_ADDRESS: 'other:7233',
      TEMPORAL_NAMESPACE: 'other-ns',
      TEMPORAL_API_KEY: 'env-key',
    });
    expect([config.temporal.address, config.temporal.namespace, config.temporal.security.apiKey]).toEqual(['other:7233', 'other-ns', 'env-key']);
  });

  test.each([
    [
      'an unknown profile',
      { TEMPORAL_CONFIG_FILE: CONFIG, TEMPORAL_PROFILE: 'nope' },
      `profile "nope" cannot be loaded: Profile 'nope' not found in config data`,
    ],
    [
      'a config file that is not there',
      { TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') },
      `TEMPORAL_CONFIG_FILE names a file that does not exist (${join(dir, 'missing.toml')})`,
    ],
    [
      'an unknown key in the file',
      { TEMPORAL_CONFIG_FILE: file('typo.toml', '[profile.default]\nadress = "x:1"\n') },
      'the Temporal profile cannot be loaded: Validation error: key(s) unrecognized in profile.default: adress',
    ],
    [
      'a certificate file that is not there',
      { TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: KEY },
      `the Temporal profile cannot be loaded: ENOENT: no such file or directory, open '${join(dir, 'nope.pem')}'`,
    ],
    [
      'a profile address that is not host:port',
      { TEMPORAL_CONFIG_FILE: file('bad.toml', '[profile.default]\naddress = "http://x"\n') },
      'TEMPORAL_ADDRESS must be host:port, for example localhost:7233 (got "http://x")',
    ],
  ])('%s is a configuration error naming it', (_name, env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });
});
