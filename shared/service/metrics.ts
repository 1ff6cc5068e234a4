// Per-endpoint request counters and latency percentiles for GET /status. Latencies are kept in a
// fixed-size window per endpoint so memory stays flat however long the service runs.
import type { EndpointStats, LatencySummary } from '../api.ts';

const WINDOW = 1000;

interface Series {
  requests: number;
  errors: number;
  aborted: number;
  inFlight: number;
  latencies: number[];
  next: number;
}

export interface Outcome {
  status: number;
  durationMs: number;
  aborted: boolean;
}

export class EndpointMetrics {
  private readonly series = new Map<string, Series>();

  /** A request arrived; record() must follow once it is answered or abandoned. */
  begin(endpoint: string): void {
    this.of(endpoint).inFlight += 1;
  }

  record(endpoint: string, outcome: Outcome): void {
    const s = this.of(endpoint);
    s.inFlight -= 1;
    s.requests += 1;
    if (outcome.aborted) s.aborted += 1;
    else if (outcome.status >= 400) s.errors += 1;
    if (s.latencies.length < WINDOW) s.latencies.push(outcome.durationMs);
    else s.latencies[s.next] = outcome.durationMs;
    s.next = (s.next + 1) % WINDOW;
  }

  private of(endpoint: string): Series {
    let s = this.series.get(endpoint);
    if (!s) {
      s = { requests: 0, errors: 0, aborted: 0, inFlight: 0, latencies: [], next: 0 };
      this.series.set(endpoint, s);
    }
    return s;
  }

  snapshot(): Record<string, EndpointStats> {
    const result: Record<string, EndpointStats> = {};
    for (const [endpoint, s] of [...this.series].sort(([a], [b]) => a.localeCompare(b))) {
      result[endpoint] = { requests: s.requests, errors: s.errors, aborted: s.aborted, inFlight: s.inFlight, latencyMs: summarize(s.latencies) };
    }
    return result;
  }
}

/** Nearest-rank percentiles, rounded to 0.1 ms. */
export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = (p: number): number => {
    if (sorted.length === 0) return 0;
    const value = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    return Math.round(value * 10) / 10;
  };
  return { p50: rank(50), p90: rank(90), p99: rank(99), max: rank(100) };
}
