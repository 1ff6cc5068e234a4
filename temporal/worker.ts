// Entry point: node temporal/worker.ts. Connects to Temporal (waiting for it if needed), then polls what its
// WORKER_ROLE owns until SIGINT/SIGTERM, when it drains gracefully.
import '../shared/compile-cache.ts';
import { status } from '@grpc/grpc-js';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, orExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { describeTraces, startTracing } from '../shared/tracing/setup.ts';
import { dataConverterFor } from './codec/data-converter.ts';
import { connectionOptions, describeSecurity } from './connection-options.ts';
import { CannotListSearchAttributes, ensureSearchAttributes } from './search-attributes-registration.ts';
import { createWorker, rolePolls, SHUTDOWN_GRACE } from './worker/create-worker.ts';
import { installRuntime } from './worker/runtime.ts';
import { loadWorkflowBundle } from './worker/workflow-bundle.ts';
import { waitForTemporal } from './wait-for-temporal.ts';

const config = orExit(loadConfig);
const logger = createLogger('worker', config.logLevel, config.logFormat);
const { address, namespace, taskQueue } = config.temporal;
const role = config.workerRole;
// Only a worker that runs workflows needs their code: a service's worker skips bundling altogether.
const runsWorkflows = role === 'all' || role === 'orchestrator';
const tracing = startTracing('worker', config.traces);

const metricsAddress = await installRuntime(logger, config.serviceHost, config.workerMetricsPort);

const stopRequested = new AbortController();
let worker: Awaited<ReturnType<typeof createWorker>> | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  // A repeated signal (Ctrl-C reaches the whole process group, `concurrently` forwards it) changes nothing.
  if (stopRequested.signal.aborted) return;
  stopRequested.abort();
  if (!worker) {
    logger.info({ signal }, 'stopped while waiting for Temporal');
    process.exit(0);
  }
  logger.info({ signal, graceTime: SHUTDOWN_GRACE }, 'stopping: no new tasks; running activities may finish');
  worker.shutdown();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// Bundling (seconds, unless a kept bundle matches) overlaps the wait for Temporal; its errors surface at the await below.
const encryption = config.codec.keys.length > 0;
const bundling = runsWorkflows ? loadWorkflowBundle({ tracing: tracing !== undefined, encryption, logger: Runtime.instance().logger }) : undefined;
bundling?.catch(() => {});
try {
  const connect = async () => {
    const connection = await NativeConnection.connect(connectionOptions(config.temporal));
    // A server may answer before it serves the namespace (a fresh self-hosted one registers it just after it
    // starts): that is waited for too. Any other answer is left to the checks below.
    const found = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      (error: unknown) => (error as { code?: number }).code !== status.NOT_FOUND,
    );
    if (found) return connection;
    await connection.close();
    throw new Error(`the namespace "${namespace}" does not exist yet`);
  };
  const connection = await waitForTemporal(address, connect, logger, { signal: stopRequested.signal });
  // The workflows upsert them, so a worker that runs workflows refuses a namespace without them (and names the
  // fix): otherwise every workflow task that sets one would fail, and every run would stall. A service's worker never sets them.
  const registered = runsWorkflows
    ? await ensureSearchAttributes(connection, namespace).catch((error: unknown) => {
        if (!(error instanceof CannotListSearchAttributes)) throw error;
        // Nothing to check against: run, and say what a missing attribute would look like.
        logger.warn(
          { namespace, reason: error.message },
          'could not list the search attributes: if one is missing, runs stall at their first upsert (docs/production.md)',
        );
        return [];
      })
    : [];
  if (registered.length > 0) logger.info({ namespace, searchAttributes: registered }, 'registered search attributes');
  const bundle = await bundling;
  if (bundle?.origin === 'bundled') logger.info({ reason: bundle.reason }, 'bundled the workflow code (kept in .build/ for the next start)');
  worker = await createWorker({
    connection,
    ...(bundle && { workflowBundle: { code: bundle.code } }),
    namespace,
    taskQueue,
    role,
    serverUrls: { 'server-a': config.serverA.url, 'server-b': config.serverB.url },
    serviceToken: config.serviceToken,
    dataConverter: dataConverterFor(config.codec.keys),
    tracing,
  });
  logger.info(
    {
      address,
      security: describeSecurity(config.temporal),
      encryption: config.codec.keys[0]?.id ?? 'off',
      namespace,
      taskQueue,
      polls: rolePolls(role),
      serverA: config.serverA.url,
      serverB: config.serverB.url,
      metrics: metricsAddress ? `http://${metricsAddress}/metrics` : 'off',
      traces: describeTraces(config.traces),
      // Since the process started: what the kept bundle saves (docs/performance.md).
      startedInMs: Math.round(performance.now()),
    },
    'worker polling',
  );
  await worker.run();
  await connection.close();
  await tracing?.shutdown();
  logger.info('worker stopped');
  process.exit(0);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
  process.exit(1);
}
