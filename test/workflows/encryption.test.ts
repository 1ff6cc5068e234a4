// Payload encryption end to end, through the real entry points: a worker process and the CLI client,
// both with PAYLOAD_ENCRYPTION_KEYS, against real services. The server's history holds only ciphertext
// (inputs, activity arguments and results, the workflow result, failure messages); the client prints
// plaintext; the codec server turns the history's payloads back into the data.
import { randomBytes } from 'node:crypto';
import type { temporal as proto } from '@temporalio/proto';
import { afterEach, describe, expect, test } from 'vitest';
import { AesGcmCodec, ENCRYPTED_ENCODING } from '../../temporal/codec/aes-gcm-codec.ts';
import { createCodecServerApp } from '../../temporal/codec/codec-server-app.ts';
import { listen } from '../../shared/service/serve.ts';
import { killLeftovers, runNode, startNode } from '../support/processes.ts';
import { HOST, silentLogger, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

type Payload = proto.api.common.v1.IPayload;
const SECRET = 'Secret order for Ada Lovelace';
const KEY = randomBytes(32);
const KEYS = `test-key:${KEY.toString('base64')}`;

/** Every payload anywhere in a history, found by shape (an object with `metadata` and `data`). */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return found;
  const candidate = value as { metadata?: unknown; data?: unknown };
  if (candidate.metadata && typeof candidate.metadata === 'object' && candidate.data instanceof Uint8Array) found.push(candidate as Payload);
  for (const child of Object.values(value)) payloadsIn(child, found);
  return found;
}
const workflowIdIn = (stderr: string) => /Workflow ID\s+(\S+)/.exec(stderr)![1]!;
const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? []).toString();
const mentions = (p: Payload, text: string) =>
  Buffer.from(p.data ?? [])
    .toString('latin1')
    .toLowerCase()
    .includes(text.toLowerCase());

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} payload encryption`, { timeout: 120_000 }, () => {
  const suite = workflowSuite();
  afterEach(killLeftovers);

  async function encryptedStack(taskQueue: string) {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB({ thirdParty: { latencyMs: 0, failureRate: 0 } }));
    const env = { ...temporalEnv(taskQueue), SERVER_A_URL: a.url, SERVER_B_URL: b.url, PAYLOAD_ENCRYPTION_KEYS: KEYS, LOG_LEVEL: 'info' };
    const worker = startNode('temporal/worker.ts', [], env);
    await worker.waitFor('"msg":"worker polling"', 90_000);
    expect(worker.output()).toContain('"encryption":"test-key"');
    return env;
  }

  test('the history holds only ciphertext, the client prints plaintext, and the codec server decrypts', async () => {
    const taskQueue = uniqueTaskQueue('encrypted');
    const env = await encryptedStack(taskQueue);
    const run = await runNode('temporal/client.ts', [SECRET, 'multi', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { input: { data: string }; validation: { valid: boolean } };
    expect([result.input.data, result.validation.valid]).toEqual([SECRET, true]);

    // Read with the suite's client, which has no key: what anyone with access to the server would see.
    const history = await suite.client.workflow.getHandle(workflowIdIn(run.stderr)).fetchHistory();
    // Search attributes stay readable by design (the server indexes them), and so does the SDK's patch marker.
    const events = history.events ?? [];
    const dataEvents = events.filter((e) => !e.upsertWorkflowSearchAttributesEventAttributes && !e.markerRecordedEventAttributes);
    const payloads = payloadsIn(
      dataEvents.map((e) => ({ ...e, workflowExecutionStartedEventAttributes: { ...e.workflowExecutionStartedEventAttributes, searchAttributes: null } })),
    );
    expect(payloads.length).toBeGreaterThan(10);
    expect([...new Set(payloads.map(encodingOf))]).toEqual([ENCRYPTED_ENCODING]);
    expect(payloadsIn(history).filter((p) => mentions(p, 'ada lovelace'))).toEqual([]);
    const indexed = events.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(new Set(indexed)).toEqual(new Set(['DataCategory', 'TemporalChangeVersion']));

    const codecServer = await suite.track(
      listen(
        createCodecServerApp({ codec: new AesGcmCodec([{ id: 'test-key', key: KEY }]), allowedOrigins: [], auth: undefined, logger: silentLogger() }),
        HOST,
        0,
      ),
    );
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const asJson = (p: Payload) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    });
    const decoded = (await (
      await fetch(`${codecServer.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [asJson(input!)] }),
      })
    ).json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toEqual({ data: SECRET });
  });

  test('a failed run: its failure message is encrypted in the history, and the client still shows it', async () => {
    const taskQueue = uniqueTaskQueue('encrypted-fail');
    const env = await encryptedStack(taskQueue);
    // Too long for Server A (1,000 characters at most): the run fails at validate, non-retryably.
    const run = await runNode('temporal/client.ts', ['Ada Lovelace '.repeat(80), 'multi', '--json'], env);
    expect(run.code, run.stderr).toBe(1);
    const failure = JSON.parse(run.stdout) as { workflowId: string; failures: Array<{ type: string; message: string }> };
    expect(failure.failures[0]).toMatchObject({
      type: 'ValidationFailed',
      message: 'Input rejected by server-a /validate: data is 1040 characters long; the limit is 1000',
    });

    const history = await suite.client.workflow.getHandle(failure.workflowId).fetchHistory();
    const failed = history.events?.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
    // The SDK moves message and stack trace into an encoded payload and leaves this placeholder.
    expect(failed?.message).toBe('Encoded failure');
    expect(encodingOf(failed!.encodedAttributes!)).toBe(ENCRYPTED_ENCODING);
    expect(payloadsIn(history).filter((p) => mentions(p, 'characters long') || mentions(p, 'ada lovelace'))).toEqual([]);
    // What stays readable is only what the run is searchable by: the step it failed at.
    expect((await suite.client.workflow.getHandle(failure.workflowId).describe()).searchAttributes.CurrentStep).toEqual(['validate']);
  });
});
