// The worker's Prometheus endpoint: the SDK's own metrics (task latencies, failures by type, polls,
// slots), served by the SDK's native core at http://<SERVICE_HOST>:<WORKER_METRICS_PORT>/metrics once
// the Runtime is installed. The SDK cannot report which port it got for port 0, so for 0 a free port
// is found here first and named in the log.
import { createServer } from 'node:net';
import type { MetricsExporterConfig } from '@temporalio/worker';

/**
 * host:port to serve the metrics on, or undefined when they are off (WORKER_METRICS_PORT=off). Rejects when
 * a fixed port is taken: the SDK would only fail on its first connection, and its error would read as
 * Temporal being unreachable (a second worker on one machine, with the same port, did exactly that).
 */
export async function metricsBindAddress(host: string, port: number | undefined): Promise<string | undefined> {
  if (port === undefined) return undefined;
  const chosen = await bindOnce(host, port);
  return `${host.includes(':') ? `[${host}]` : host}:${chosen}`;
}

/**
 * Prometheus's conventions, as the services follow them: durations in seconds (so one threshold reads
 * the same everywhere), counters ending in `_total` (the SDK's documented name plus the suffix:
 * temporal_activity_execution_failed_total), histogram names as the SDK documents them.
 */
export function prometheusExporter(bindAddress: string): MetricsExporterConfig {
  return { prometheus: { bindAddress, useSecondsForDurations: true, countersTotalSuffix: true } };
}

/** Binds `port` (0: any free one) on `host` and lets go of it at once: the SDK binds it a moment later. */
function bindOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
