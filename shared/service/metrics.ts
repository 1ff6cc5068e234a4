// Nearest-rank percentiles of latencies, for the scripts' reports; the services' own come from prom-client.
import type { LatencySummary } from '../contract.ts';

/** p50, p90, p99 and max, each rounded to 0.1 ms; all 0 for an empty list. */
export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = (p: number): number => {
    const value = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    return Math.round(value * 10) / 10;
  };
  return { p50: rank(50), p90: rank(90), p99: rank(99), max: rank(100) };
}
