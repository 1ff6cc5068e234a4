// One circuit breaker (opossum) per service, created with the service clients: once per worker process, and
// shared by every activity call to that service across workflow runs. After repeated outages it opens, and
// calls fail fast with a CircuitOpen failure instead of adding load to a service that is down: runs wait and
// retry (the outage rule) or take their step's fallback (multi-server.ts). After BREAKER_OPTIONS.resetTimeout
// one call probes the service (half-open); its success closes the breaker, its failure opens it again.
// Only outages count (OUTAGE_FAILURE_TYPES): a 4xx or a validation answer shows that the service is up.
import { ApplicationFailure, type Logger, type MetricCounter, type MetricGauge, type MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import CircuitBreaker from 'opossum';
import type { ServiceName } from '../../shared/api.ts';
import { FailureType, OUTAGE_FAILURE_TYPES } from '../failure-types.ts';
import { MAXIMUM_INTERVAL_MS } from '../retry-policy.ts';

export const BREAKER_OPTIONS = {
  // No timeout of opossum's own: every call has its HTTP client's timeout (service-clients.ts), whose expiry is an outage.
  timeout: false,
  // The failure rate is taken over the last 10 s, in 1 s buckets: recent enough to follow an outage as it starts and ends.
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
  // At least 5 calls in that window before it may open: a lone run's first failures are the retry policy's business.
  volumeThreshold: 5,
  // Opens when more than half of those calls met an outage: a blip fails a few calls, an outage most of them.
  errorThresholdPercentage: 50,
  // Open this long, then one call probes. Longer than the longest retry backoff (10 s), so a call retried after its
  // failure opened the breaker still finds it open (the enrich fallback relies on that); short enough that a
  // recovered service is called again within 15 s.
  resetTimeout: MAXIMUM_INTERVAL_MS + 5_000,
  // No periodic snapshot events (one timer less per breaker): the state is reported when it changes.
  enableSnapshots: false,
} satisfies CircuitBreaker.Options;

export type BreakerState = 'closed' | 'half-open' | 'open';
/** The value of the circuit_breaker_state gauge for each state. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Where the breakers report their changes: log lines, and metrics on the worker's /metrics. */
export interface BreakerTelemetry {
  logger: Logger;
  meter: MetricMeter;
}

/** The SDK runtime's logger and metric meter: in the worker, its pino log and its Prometheus endpoint (worker.ts). */
export function runtimeTelemetry(): BreakerTelemetry {
  const runtime = Runtime.instance();
  return { logger: runtime.logger, meter: runtime.metricMeter };
}

/** What a CircuitOpen failure carries in its details. */
export interface CircuitOpenDetails {
  service: ServiceName;
  method: string;
  path: string;
  state: Exclude<BreakerState, 'closed'>;
  /** When a call may probe the service again (ISO 8601); null while a probe is in flight. */
  probeAt: string | null;
  /** The last outage the breaker counted. */
  lastFailure: string;
}

interface Instruments {
  logger: Logger;
  state: MetricGauge;
  opened: MetricCounter;
  rejected: MetricCounter;
}

export class ServiceBreaker {
  readonly service: ServiceName;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly telemetry: () => BreakerTelemetry;
  private reporting: Instruments | undefined;
  private lastFailure = 'none';
  private probeAt: number | null = null;

  /**
   * `telemetry` is looked up the first time the breaker has something to report, so a process that calls the
   * activities without a worker (a benchmark) and never meets an outage does not start an SDK runtime for it.
   */
  constructor(service: ServiceName, telemetry: () => BreakerTelemetry = runtimeTelemetry, options: CircuitBreaker.Options = BREAKER_OPTIONS) {
    this.service = service;
    this.telemetry = telemetry;
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), { ...options, name: service, errorFilter: (error) => !isOutage(error) });
    this.breaker.on('failure', (error: unknown) => {
      this.lastFailure = error instanceof Error ? error.message : String(error);
    });
    this.breaker.on('open', () => {
      this.probeAt = Date.now() + (options.resetTimeout ?? 0);
      const { fires, failures, rejects } = this.breaker.stats;
      // Rejected calls count as calls in opossum's window, so they are taken out of the calls that were made.
      this.changed('warn', { calls: fires - rejects, failures, lastFailure: this.lastFailure, probeAt: new Date(this.probeAt).toISOString() });
      this.instruments().opened.add(1);
    });
    this.breaker.on('halfOpen', () => {
      this.probeAt = null;
      this.changed('info', {});
    });
    this.breaker.on('close', () => this.changed('info', {}));
    this.breaker.on('reject', () => this.instruments().rejected.add(1));
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /**
   * Makes one call through the breaker. `call` must throw classified failures (classify-failure.ts): the
   * outages among them count against the service. While the breaker is open, or half-open with its probe in
   * flight, `call` is not made and a retryable CircuitOpen failure is thrown at once.
   */
  async run<T>(target: { method: string; path: string }, call: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(call)) as T;
    } catch (error) {
      // Opossum's only error of its own with these options (no timeout, no capacity limit): "Breaker is open".
      if (!CircuitBreaker.isOurError(error as Error)) throw error;
      throw this.openFailure(target);
    }
  }

  private openFailure(target: { method: string; path: string }): ApplicationFailure {
    const state = this.state === 'open' ? 'open' : 'half-open';
    const probeAt = state === 'open' && this.probeAt !== null ? new Date(this.probeAt).toISOString() : null;
    const next = probeAt ? `a call probes ${this.service} again at ${probeAt}` : `a call is probing ${this.service} now`;
    const details: CircuitOpenDetails = { service: this.service, method: target.method, path: target.path, state, probeAt, lastFailure: this.lastFailure };
    return ApplicationFailure.create({
      type: FailureType.circuitOpen,
      message: `${this.service} ${target.method} ${target.path} not sent: the circuit breaker for ${this.service} is ${state} after repeated failures (last: ${this.lastFailure}); ${next}`,
      nonRetryable: false,
      details: [details],
    });
  }

  private changed(level: 'info' | 'warn', fields: Record<string, unknown>): void {
    const { logger, state } = this.instruments();
    state.set(BREAKER_STATE_VALUE[this.state]);
    // `breaker`, not `service`: in the worker's log, `service` names the process (shared/logger.ts).
    logger[level](`circuit breaker ${this.state}`, { breaker: this.service, state: this.state, ...fields });
  }

  private instruments(): Instruments {
    if (!this.reporting) {
      const { logger, meter } = this.telemetry();
      const tagged = meter.withTags({ service: this.service });
      this.reporting = {
        logger,
        state: tagged.createGauge('circuit_breaker_state', 'int', '', "The worker's circuit breaker for the service: 0 closed, 1 half-open, 2 open"),
        opened: tagged.createCounter('circuit_breaker_opened', '', 'Times the circuit breaker for the service opened'),
        rejected: tagged.createCounter('circuit_breaker_rejected', '', 'Calls to the service failed fast because its circuit breaker was open'),
      };
      this.reporting.state.set(BREAKER_STATE_VALUE[this.state]);
    }
    return this.reporting;
  }
}

/** Counted against the service: it did not answer, or answered 5xx/408 or 429. Opossum counts any other failure
 *  (a 4xx, a cancelled call) as a call that went well: the service answered, or was not given the time to. A 409
 *  REQUEST_IN_PROGRESS is retried like an outage but is a healthy service still doing the first attempt's work. */
function isOutage(error: unknown): boolean {
  if (!(error instanceof ApplicationFailure) || !OUTAGE_FAILURE_TYPES.includes(error.type ?? '')) return false;
  const [details] = error.details ?? [];
  return (details as { code?: unknown } | undefined)?.code !== 'REQUEST_IN_PROGRESS';
}

/** One breaker per service, for one worker process. */
export function createBreakers(telemetry?: () => BreakerTelemetry): Record<ServiceName, ServiceBreaker> {
  return { 'server-a': new ServiceBreaker('server-a', telemetry), 'server-b': new ServiceBreaker('server-b', telemetry) };
}
