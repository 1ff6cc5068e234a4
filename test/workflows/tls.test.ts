// Temporal over TLS, configured the envconfig way (a temporal.toml profile, or TEMPORAL_TLS_* variables),
// through the real worker and CLI processes. The dev server speaks plaintext only, so a TLS-terminating
// proxy that demands a client certificate stands in front of it.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../temporal/cli/args.ts';
import { killLeftovers, runNode, startNode } from '../support/processes.ts';
import { startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from '../support/temporal.ts';
import { makeCertificates, startTlsProxy, type TestCertificates, type TlsProxy } from '../support/tls-proxy.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} Temporal over TLS`, { timeout: 120_000 }, () => {
  const suite = workflowSuite();
  let certs: TestCertificates;
  let proxy: TlsProxy;
  beforeAll(async () => {
    certs = makeCertificates();
    proxy = await startTlsProxy(certs, temporal.available ? temporal.address : '');
  });
  afterAll(async () => {
    await proxy?.close();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });
  afterEach(killLeftovers);

  /** The suite's settings, minus the address: it comes from the profile or TLS variables under test. */
  const baseEnv = (taskQueue: string) => ({ ...temporalEnv(taskQueue), TEMPORAL_ADDRESS: '', LOG_LEVEL: 'info' });

  test('worker and client connect with mutual TLS from a temporal.toml profile, and a run completes', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB({ thirdParty: { latencyMs: 0, failureRate: 0 } }));
    const configFile = join(certs.dir, 'temporal.toml');
    writeFileSync(
      configFile,
      [
        '[profile.secure]',
        `address = "${proxy.address}"`,
        `namespace = "${temporal.available ? temporal.namespace : ''}"`,
        '[profile.secure.tls]',
        `server_ca_cert_path = "${certs.caCert}"`,
        `client_cert_path = "${certs.clientCert}"`,
        `client_key_path = "${certs.clientKey}"`,
        // Reached by IP; the certificate is checked against this name.
        'server_name = "localhost"',
      ].join('\n'),
    );
    const taskQueue = uniqueTaskQueue('tls');
    const env = { ...baseEnv(taskQueue), TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'secure', SERVER_A_URL: a.url, SERVER_B_URL: b.url };
    const before = proxy.authorized();

    const worker = startNode('temporal/worker.ts', [], env);
    await worker.waitFor('"msg":"worker polling"', 90_000);
    expect(worker.output()).toContain(`"address":"${proxy.address}","security":"mTLS"`);
    const run = await runNode('temporal/client.ts', ['over TLS', 'multi', '--json'], env);
    expect(run.code, run.stderr).toBe(EXIT.completed);
    expect((JSON.parse(run.stdout) as { input: { data: string } }).input.data).toBe('over TLS');
    // Both processes came through the proxy, each with the client certificate.
    expect(proxy.authorized() - before).toBeGreaterThanOrEqual(2);
  });

  test.each([
    ['without a client certificate', (c: TestCertificates) => ({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: c.caCert })],
    [
      'trusting another CA',
      (c: TestCertificates) => ({
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: c.otherCaCert,
        TEMPORAL_TLS_CLIENT_CERT_PATH: c.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: c.clientKey,
      }),
    ],
    ['in plaintext', () => ({})],
  ])('a client %s is refused and says it cannot reach Temporal (exit 3)', async (_name, tlsEnv) => {
    const env = { ...baseEnv(uniqueTaskQueue('tls-refused')), TEMPORAL_ADDRESS: proxy.address, TEMPORAL_TLS_SERVER_NAME: 'localhost', ...tlsEnv(certs) };
    const run = await runNode('temporal/client.ts', ['refused', 'multi'], env);
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain(`Cannot reach Temporal at ${proxy.address}`);
  });
});
