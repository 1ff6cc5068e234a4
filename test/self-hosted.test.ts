// The product on the Compose stack's Temporal, run natively (temporal/self-hosted/): the server version Compose
// pins on this machine's PostgreSQL, with SQL visibility, started the way `npm run temporal:postgres` starts it
// (Compose's schema and namespace scripts included), on databases and ports of its own. On it, with the production
// worker and the real services: multi-server and simple runs, the publish saga approved and rejected, a batch,
// a schedule triggered, a list by search attribute, the adaptive workflow, an encrypted run decoded by the codec
// server, and the Web UI server's page of a completed run in Chromium. Needs the binaries
// (`npm run temporal:postgres -- --install`) and PostgreSQL; CI (TEMPORAL_REQUIRED=1) has both.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../shared/config.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { dataConverterFor } from '../temporal/codec/data-converter.ts';
import { freePort } from '../temporal/dev/free-port.ts';
import { startWorkflow } from '../temporal/run-kinds.ts';
import { listRuns } from '../temporal/runs/visibility.ts';
import { createSchedule } from '../temporal/schedules.ts';
import { ensureSelfHostedBinaries, type SelfHostedBinaries } from '../temporal/self-hosted/binaries.ts';
import { checkPostgres, type PostgresSettings, PostgresUnusable, visibilityDb } from '../temporal/self-hosted/postgres.ts';
import { freeServerPorts } from '../temporal/self-hosted/server.ts';
import { setupSchema, startSelfHosted } from '../temporal/self-hosted/start.ts';
import { decideUpdate, reviewQuery } from '../temporal/workflows/review.ts';
import { closePage, findChromium, launchChromium, openPage, runPage } from './support/browser.ts';
import { killLeftovers, type LongRunning, startNode } from './support/processes.ts';
import { startServerA, startServerB } from './support/services.ts';
import { localCli } from './support/temporal.ts';

const required = process.env.TEMPORAL_REQUIRED === '1';
const base = loadConfig().postgres;
/** Databases of this run's own, dropped at the end. */
const postgres: PostgresSettings = { ...base, db: `temporal_test_${randomBytes(4).toString('hex')}` };
const KEY = randomBytes(32).toString('base64');
const KEYS = `pg-test:${KEY}`;

/** What this machine lacks for the group, or nothing. */
async function missing(): Promise<string | undefined> {
  if (!localCli) return 'no Temporal CLI (npm run temporal:install)';
  try {
    await checkPostgres(postgres);
  } catch (error) {
    return `PostgreSQL: ${(error as Error).message}`;
  }
  return undefined;
}
const lacking = await missing();
const chromium = findChromium();

describe.skipIf(lacking !== undefined && !required)('[needs PostgreSQL] the product on Temporal 1.31 with PostgreSQL', { timeout: 600_000 }, () => {
  let binaries: SelfHostedBinaries;
  let stack: Awaited<ReturnType<typeof startSelfHosted>>;
  let client: Client;
  let encrypted: Client;
  let connection: Connection;
  const services: RunningService[] = [];
  const workers: LongRunning[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'self-hosted-'));
  const taskQueue = `pg-${randomBytes(3).toString('hex')}`;
  const encryptedQueue = `${taskQueue}-encrypted`;
  let env: Record<string, string>;
  let failed = false;
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') failed = true;
  });

  beforeAll(async () => {
    failed = true; // until the stack is up: a failed start keeps its logs
    if (lacking) throw new Error(`TEMPORAL_REQUIRED=1, but the PostgreSQL group cannot run: ${lacking}`);
    // Built by CI before the tests (npm run temporal:postgres -- --install); here only if a person has not yet.
    binaries = await ensureSelfHostedBinaries(() => {});
    const ports = await freeServerPorts();
    stack = await startSelfHosted({
      binaries,
      cli: localCli!.path,
      postgres,
      namespace: 'default',
      retention: '24h',
      ports,
      uiPort: await freePort(),
      logDir,
      say: () => {},
    });
    connection = await Connection.connect({ address: stack.address });
    client = new Client({ connection, namespace: 'default' });
    encrypted = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor([{ id: 'pg-test', key: Buffer.from(KEY, 'base64') }]) });
    const [a, b] = await Promise.all([startServerA(), startServerB()]);
    services.push(a, b);
    env = {
      TEMPORAL_ADDRESS: stack.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_CONFIG_FILE: '/dev/null',
      SERVER_A_URL: a.url,
      SERVER_B_URL: b.url,
      WORKER_METRICS_PORT: 'off',
      LOG_LEVEL: 'warn',
    };
    for (const [queue, keys] of [
      [taskQueue, ''],
      [encryptedQueue, KEYS],
    ] as const) {
      const worker = startNode('temporal/worker.ts', [], { ...env, TEMPORAL_TASK_QUEUE: queue, PAYLOAD_ENCRYPTION_KEYS: keys, LOG_LEVEL: 'info' });
      workers.push(worker);
      await worker.waitFor('worker polling', 120_000);
    }
    failed = false;
  });

  afterAll(async () => {
    killLeftovers();
    await connection?.close();
    await stack?.stop();
    await Promise.all(services.map((s) => s.close(0)));
    // The databases go with the run: as their owner, the same user drops them.
    const admin = new pg.Client({ ...postgres, database: 'postgres' });
    await admin.connect().catch(() => undefined);
    for (const db of [postgres.db, visibilityDb(postgres)]) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    // Kept when a test failed: the server's and the UI's logs are what says why.
    if (!failed) rmSync(logDir, { recursive: true, force: true });
  });

  const id = (name: string) => `${taskQueue}-${name}`;
  const run = (kind: Parameters<typeof startWorkflow>[1], name: string, input: unknown, on = client, queue = taskQueue) =>
    startWorkflow(on, kind, { taskQueue: queue, workflowId: id(name) }, input);

  test('multi-server and simple runs complete', async () => {
    const multi = await run('multi', 'multi', { data: 'Hello from PostgreSQL' });
    const simple = await run('simple', 'simple', { data: 'Hello again' });
    expect(await multi.result()).toMatchObject({ workflow: 'multiServerWorkflow', summary: { category: 'greeting' } });
    expect(await simple.result()).toMatchObject({ workflow: 'simpleWorkflow' });
  });

  test('the publish saga: a review approved publishes, a review rejected completes as rejected', async () => {
    const approved = await run('publish', 'approved', { data: 'Quarterly numbers', review: true });
    const rejected = await run('publish', 'rejected', { data: 'Draft numbers', review: true });
    for (const handle of [approved, rejected]) {
      await expect.poll(async () => (await handle.query(reviewQuery).catch(() => null))?.state, { timeout: 60_000 }).toBe('pending');
    }
    await approved.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ada' }] });
    await rejected.executeUpdate(decideUpdate, { args: [{ decision: 'reject', reviewer: 'bob', comment: 'not yet' }] });
    expect(await approved.result()).toMatchObject({ outcome: 'published', review: { state: 'approved' } });
    expect(await rejected.result()).toMatchObject({ outcome: 'rejected', review: { state: 'rejected' } });
  });

  test('a batch of simple runs, its children on SQL visibility too', async () => {
    const items = ['One', 'Two', 'Three'].map((word) => ({ data: `${word} order shipped today` }));
    const batch = await run('batch', 'batch', { kind: 'simple', items, maxConcurrent: 2 });
    const result = (await batch.result()) as { total: number; succeeded: unknown[]; rejected: unknown[]; failed: unknown[] };
    expect({ total: result.total, succeeded: result.succeeded.length, rejected: result.rejected, failed: result.failed }).toEqual({
      total: 3,
      succeeded: 3,
      rejected: [],
      failed: [],
    });
  });

  test('a schedule triggered on demand starts a run that completes', async () => {
    const schedule = await createSchedule(client, { scheduleId: id('schedule'), everyMs: 3_600_000, data: 'Scheduled hello', taskQueue });
    try {
      await schedule.trigger();
      await expect.poll(async () => (await schedule.describe()).info.recentActions.length, { timeout: 60_000 }).toBeGreaterThan(0);
      const { workflow } = (await schedule.describe()).info.recentActions[0]!.action;
      expect(await client.workflow.getHandle(workflow.workflowId, workflow.firstExecutionRunId).result()).toMatchObject({ workflow: 'multiServerWorkflow' });
    } finally {
      await schedule.delete();
    }
  });

  test('list by search attribute: SQL visibility finds a run by its DataCategory', async () => {
    const handle = await run('multi', 'listed', { data: 'Hello there, listed run' });
    await handle.result();
    const query = `DataCategory = "greeting" AND WorkflowId = "${handle.workflowId}"`;
    await expect.poll(async () => (await listRuns(client, query, 10)).map((row) => row.workflowId), { timeout: 30_000 }).toEqual([handle.workflowId]);
  });

  test('the adaptive workflow completes', async () => {
    const adaptive = await run('adaptive', 'adaptive', { data: 'Hello, adapt to this' });
    expect(await adaptive.result()).toMatchObject({ workflow: 'adaptiveWorkflow' });
  });

  test('an encrypted run: ciphertext in the history, plaintext from the codec server', async () => {
    const handle = await run('multi', 'encrypted', { data: 'Hello, secret order 42' }, encrypted, encryptedQueue);
    await handle.result();
    const history = await client.workflow.getHandle(handle.workflowId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input!.data!).toString('latin1')).not.toContain('secret order 42');
    const port = await freePort();
    const codec = startNode('temporal/codec-server.ts', [], { ...env, PAYLOAD_ENCRYPTION_KEYS: KEYS, CODEC_SERVER_PORT: String(port), LOG_LEVEL: 'info' });
    await codec.waitFor('listening');
    const asJson = {
      metadata: Object.fromEntries(Object.entries(input!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(input!.data!).toString('base64'),
    };
    const res = await fetch(`http://127.0.0.1:${port}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [asJson] }),
    });
    const decoded = (await res.json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toMatchObject({ data: 'Hello, secret order 42' });
  });

  test.skipIf(!chromium.available && !required)("the Web UI server's page of a completed run, in Chromium", async () => {
    if (!chromium.available) throw new Error(`TEMPORAL_REQUIRED=1, but Chromium is missing: ${chromium.reason}`);
    const handle = await run('multi', 'web-ui', { data: 'Hello from the Web UI test' });
    await handle.result();
    const runId = (await handle.describe()).runId;
    const browser = await launchChromium(chromium.path);
    try {
      const page = await openPage(browser, `${stack.uiUrl}/namespaces/default/workflows/${handle.workflowId}/${runId}/history`);
      try {
        expect(await runPage(page).status(handle.workflowId)).toBe('Completed');
        expect(await runPage(page).workflowType()).toBe('multiServerWorkflow');
      } finally {
        await closePage(page);
      }
    } finally {
      await browser.close();
    }
  });

  test('a worker started before its namespace exists waits for it, then polls (as on a fresh self-hosted server)', async () => {
    const namespace = `later-${randomBytes(3).toString('hex')}`;
    const worker = startNode('temporal/worker.ts', [], { ...env, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: `${taskQueue}-later`, LOG_LEVEL: 'info' });
    workers.push(worker);
    await worker.waitFor(`the namespace \\"${namespace}\\" does not exist yet`, 60_000);
    execFileSync(localCli!.path, ['operator', 'namespace', 'create', '-n', namespace, '--address', stack.address], { stdio: 'ignore' });
    await worker.waitFor('worker polling', 120_000);
  });

  /** Each database's schema version, as the tool records it. */
  async function schemaVersions(settings: PostgresSettings): Promise<string[]> {
    const versions: string[] = [];
    for (const database of [settings.db, visibilityDb(settings)]) {
      const db = new pg.Client({ ...settings, database });
      await db.connect();
      try {
        versions.push((await db.query<{ curr_version: string }>('SELECT curr_version FROM schema_version')).rows[0]!.curr_version);
      } finally {
        await db.end();
      }
    }
    return versions;
  }

  test('the schema step is idempotent: run again on the same databases, no error and no change', async () => {
    const before = await schemaVersions(postgres);
    const said: string[] = [];
    await setupSchema(binaries, postgres, (line) => said.push(line));
    expect(said).toEqual([`Schemas of ${postgres.db} and ${visibilityDb(postgres)} are up to date`]);
    expect(await schemaVersions(postgres)).toEqual(before);
  });

  test('the schema step upgrades databases made by an older schema version', async () => {
    const older: PostgresSettings = { ...postgres, db: `${postgres.db}_old` };
    const latest = await schemaVersions(postgres);
    const tool = (db: string, ...args: string[]) =>
      execFileSync(binaries.sqlTool, ['--plugin', 'postgres12', '--ep', older.host, '-p', String(older.port), '-u', older.user, '--db', db, ...args], {
        env: { ...process.env, SQL_PASSWORD: older.password },
        stdio: 'ignore',
      });
    try {
      // Both databases as an old server left them: the schema's first versions only.
      for (const [db, dir] of [
        [older.db, 'temporal'],
        [visibilityDb(older), 'visibility'],
      ] as const) {
        tool(db, 'create');
        tool(db, 'setup-schema', '-v', '0.0');
        tool(db, 'update-schema', '-d', join(binaries.schemaDir, dir, 'versioned'), '-v', '1.1');
      }
      expect(await schemaVersions(older)).toEqual(['1.1', '1.1']);
      await setupSchema(binaries, older, () => {});
      expect(await schemaVersions(older)).toEqual(latest);
    } finally {
      const admin = new pg.Client({ ...older, database: 'postgres' });
      await admin.connect();
      for (const db of [older.db, visibilityDb(older)]) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe.skipIf(lacking !== undefined && !required)('[needs PostgreSQL] a PostgreSQL that cannot be used', () => {
  test('is one sentence naming the variable and the fix: nothing listening, an unknown role', async () => {
    const refusal = async (settings: PostgresSettings) => {
      const error = await checkPostgres(settings).then(
        () => undefined,
        (problem: unknown) => problem,
      );
      expect(error).toBeInstanceOf(PostgresUnusable);
      return (error as Error).message;
    };
    const closed = await freePort();
    expect(await refusal({ ...postgres, port: closed })).toBe(
      `PostgreSQL does not answer at ${postgres.host}:${closed} (POSTGRES_HOST, POSTGRES_PORT): ECONNREFUSED. Start it ` +
        '(on Debian: pg_ctlcluster --skip-systemctl-redirect <version> main start), or point POSTGRES_HOST and POSTGRES_PORT at one that runs.',
    );
    expect(await refusal({ ...postgres, user: 'no_such_role_here' })).toMatch(
      /^PostgreSQL has no role POSTGRES_USER=no_such_role_here\. Create it as a superuser: CREATE ROLE/,
    );
  });
});
