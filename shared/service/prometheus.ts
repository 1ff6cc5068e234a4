// GET /metrics of both services: request counts and latency histograms in the Prometheus text format,
// fed by the same per-request accounting as /status (create-app.ts). Each app has a registry of its
// own, not prom-client's global one: tests create many apps in one process, and each must count only
// its own requests. Labels are the route's pattern ("/records/:id", not the id) and unknown paths are
// "unmatched", so the number of series stays bounded whatever clients send.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Bucket bounds of http_request_duration_seconds, from this project's latencies: the JSON endpoints
 * answer in about 1 to 15 ms on one machine (hence the fine steps up to 25 ms), Server B's simulated
 * third party waits 300 ms by default (0.25 and 0.5 around it), and the top bounds are the callers' HTTP
 * timeouts (the activities' 2 s for /ping, 8 s for every other call, 25 s for the third party): a
 * request in a bucket above its caller's timeout was answered to nobody.
 */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 8, 25];

/** The route label of requests to a path no route has (the same word /status uses). */
const UNMATCHED = 'unmatched';

type Label = 'service' | 'method' | 'route' | 'status';

export class HttpMetrics {
  private readonly registry = new Registry();
  private readonly requests: Counter<Label>;
  private readonly duration: Histogram<Label>;
  private readonly service: string;
  readonly contentType = this.registry.contentType;

  constructor(service: string) {
    this.service = service;
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'Requests answered (or abandoned by the client: status "aborted"), by route pattern and status',
      labelNames: ['service', 'method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from the request to the end of its answer, by route pattern and status',
      labelNames: ['service', 'method', 'route', 'status'],
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [this.registry],
    });
  }

  /** One finished request; `endpoint` is create-app's "METHOD /pattern" or "unmatched". */
  observe(method: string, endpoint: string, outcome: { status: number; aborted: boolean; durationMs: number }): void {
    const route = endpoint === UNMATCHED ? UNMATCHED : endpoint.slice(endpoint.indexOf(' ') + 1);
    const labels = { service: this.service, method, route, status: outcome.aborted ? 'aborted' : String(outcome.status) };
    this.requests.inc(labels);
    this.duration.observe(labels, outcome.durationMs / 1000);
  }

  /** This app's series, then the process's own (CPU, memory, event loop lag, GC), in the text format. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processRegistry().metrics()}`;
  }
}

let processMetrics: Registry | undefined;

/**
 * prom-client's process metrics, once per process (however many apps it runs) and only once something
 * asks: they describe the process, not an app, and each collection starts an event-loop monitor and a
 * GC observer that would pile up if every app made its own.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
