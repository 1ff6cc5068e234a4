// The worker process's Temporal Runtime, installed once before any connection: the SDK's logs go into pino (the
// same JSON lines as the services), and its metrics are served at http://<SERVICE_HOST>:<WORKER_METRICS_PORT>/metrics.
import { DefaultLogger, type MetricsExporterConfig, Runtime } from '@temporalio/worker';
import type { Logger } from '../../shared/logger.ts';
import { freePort } from '../probe-tcp.ts';

/** The activity's task token: several hundred characters of base64 on every activity line, and a credential to complete the task. */
const DROPPED = new Set(['taskToken']);
/** The bundler's report of the workflow bundle (every module, many lines) is for debugging the bundle, not for every start. */
const BUNDLER_REPORT = /^asset workflow-bundle-/;
/** A service's worker polls activities only, by design (worker/create-worker.ts): the SDK warns about that on every start. */
const BY_DESIGN = /^No workflows registered, not polling for workflow tasks$/;

export function sdkLoggerFrom(logger: Logger) {
  return new DefaultLogger('TRACE', ({ level, message, meta = {} }) => {
    const fields: Record<string, unknown> = {};
    // pino serializes an Error (message, type, stack) only under the `err` key.
    for (const [key, value] of Object.entries(meta)) if (!DROPPED.has(key)) fields[value instanceof Error ? 'err' : key] = value;
    const quiet = (BUNDLER_REPORT.test(message) && level === 'INFO') || (BY_DESIGN.test(message) && level === 'WARN');
    logger[quiet ? 'debug' : (level.toLowerCase() as Lowercase<typeof level>)](fields, message);
  });
}

/** host:port to serve the metrics on, or undefined when off. The SDK cannot report which port it got for port 0,
 *  so a free port is found here first. Rejects when a fixed port is taken: the SDK would only fail on its first
 *  connection, with an error that reads as Temporal being unreachable. */
export async function metricsBindAddress(host: string, port: number | undefined): Promise<string | undefined> {
  if (port === undefined) return undefined;
  // Bound and let go of at once: the SDK binds it a moment later.
  const chosen = await freePort(port, host);
  return `${host.includes(':') ? `[${host}]` : host}:${chosen}`;
}

/** Prometheus's conventions, as the services follow them: durations in seconds, counters ending in `_total`. */
export function prometheusExporter(bindAddress: string): MetricsExporterConfig {
  return { prometheus: { bindAddress, useSecondsForDurations: true, countersTotalSuffix: true } };
}

/** Installs the Runtime; returns the metrics address. Signals are left to the worker (shutdownSignals: []),
 *  so Ctrl-C also works while it still waits for Temporal. A metrics port that cannot be served stops the
 *  process, saying how to choose another. */
export async function installRuntime(logger: Logger, host: string, port: number | undefined): Promise<string | undefined> {
  let address: string | undefined;
  try {
    address = await metricsBindAddress(host, port);
    Runtime.install({
      logger: sdkLoggerFrom(logger),
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
        ...(address && { metrics: prometheusExporter(address) }),
      },
    });
    return address;
  } catch (error) {
    // A port taken since the check fails the install too.
    if (port === undefined) throw error;
    const where = address ?? `${host}:${port}`;
    const hint = 'set WORKER_METRICS_PORT to a free port, 0 for any free port, or off';
    logger.fatal({ metrics: where, reason: (error as Error).message }, `cannot serve metrics on ${where}: ${hint}`);
    process.exit(1);
  }
}
