// One circuit breaker (opossum) per service and worker process, shared by every call to that service across
// runs: after repeated outages, calls fail fast with a retryable CircuitOpen instead of adding load to a service
// that is down. Only outages count (OUTAGE_FAILURE_TYPES): a 4xx shows that the service is up.
import { ApplicationFailure, type Logger, type MetricCounter, type MetricGauge } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import CircuitBreaker from 'opossum';
import type { ServiceName } from '../../shared/contract.ts';
import { FailureType, OUTAGE_FAILURE_TYPES } from '../failure-types.ts';
import { MAXIMUM_INTERVAL_MS } from '../workflows/activity-options.ts';

export const BREAKER_OPTIONS = {
  // No timeout of opossum's own: every call has its HTTP timeout (service-clients.ts), whose expiry is an outage.
  timeout: false,
  // Over the last 10 s (1 s buckets), at least 5 calls, more than half of them outages: a blip fails a few
  // calls, an outage most of them, and a lone run's first failures stay the retry policy's business.
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  // Longer than the longest retry backoff, so a call retried after its failure opened the breaker still finds
  // it open (the enrich fallback relies on that); short enough to call a recovered service within 15 s.
  resetTimeout: MAXIMUM_INTERVAL_MS + 5_000,
  // No periodic snapshot events (one timer less per breaker): the state is reported when it changes.
  enableSnapshots: false,
} satisfies CircuitBreaker.Options;

export type BreakerState = 'closed' | 'half-open' | 'open';
/** The value of the circuit_breaker_state gauge for each state. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export class ServiceBreaker {
  readonly service: ServiceName;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private reporting: { logger: Logger; state: MetricGauge; opened: MetricCounter; rejected: MetricCounter } | undefined;
  private lastFailure = 'none';
  private probeAt: number | null = null;

  constructor(service: ServiceName, options: CircuitBreaker.Options = BREAKER_OPTIONS) {
    this.service = service;
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

  /** While the breaker is open, or half-open with its probe in flight, `call` is not made: a retryable
   *  CircuitOpen is thrown at once, naming when a call probes the service. */
  async run<T>(target: { method: string; path: string }, call: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(call)) as T;
    } catch (error) {
      // Opossum's only error of its own with these options (no timeout, no capacity limit): "Breaker is open".
      if (!CircuitBreaker.isOurError(error as Error)) throw error;
      const { service, lastFailure } = this;
      const state = this.state === 'open' ? 'open' : 'half-open';
      const probeAt = state === 'open' && this.probeAt !== null ? new Date(this.probeAt).toISOString() : null;
      const next = probeAt ? `a call probes ${service} again at ${probeAt}` : `a call is probing ${service} now`;
      throw ApplicationFailure.create({
        type: FailureType.circuitOpen,
        message: `${service} ${target.method} ${target.path} not sent: the circuit breaker for ${service} is ${state} after repeated failures (last: ${lastFailure}); ${next}`,
        nonRetryable: false,
        details: [{ service, method: target.method, path: target.path, state, probeAt, lastFailure }],
      });
    }
  }

  private changed(level: 'info' | 'warn', fields: Record<string, unknown>): void {
    const { logger, state } = this.instruments();
    state.set(BREAKER_STATE_VALUE[this.state]);
    // `breaker`, not `service`: in the worker's log, `service` names the process (shared/logger.ts).
    logger[level](`circuit breaker ${this.state}`, { breaker: this.service, state: this.state, ...fields });
  }

  /** The SDK runtime's logger and meter (in the worker: its pino log and /metrics), looked up at the first report,
   *  so a process that calls the activities without a worker (a benchmark) and meets no outage starts no runtime. */
  private instruments(): NonNullable<ServiceBreaker['reporting']> {
    if (!this.reporting) {
      const { logger, metricMeter } = Runtime.instance();
      const tagged = metricMeter.withTags({ service: this.service });
      this.reporting = {
        logger,
        state: tagged.createGauge('circuit_breaker_state', 'int', '', "The worker's circuit breaker for the service: 0 closed, 1 half-open, 2 open"),
        opened: tagged.createCounter('circuit_breaker_opened', '', 'Times the circuit breaker for the service opened'),
        rejected: tagged.createCounter('circuit_breaker_rejected', '', 'Calls to the service failed fast because its circuit breaker was open'),
      };
    }
    return this.reporting;
  }
}

/** Counted against the service: it did not answer, or answered 5xx/408 or 429. Opossum counts any other failure
 *  (a 4xx, a cancelled call) as a call that went well: the service answered, or was not given the time to. A 409
 *  REQUEST_IN_PROGRESS is retried like an outage but is a healthy service still doing the first attempt's work. */
function isOutage(error: unknown): boolean {
  if (!(error instanceof ApplicationFailure) || !OUTAGE_FAILURE_TYPES.includes(error.type ?? '')) return false;
  return (error.details?.[0] as { code?: unknown } | undefined)?.code !== 'REQUEST_IN_PROGRESS';
}
