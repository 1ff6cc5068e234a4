// What a load run found, as lines for the terminal and as the JSON file kept beside its chart.
import { summarize } from '../../shared/service/metrics.ts';
import type { RunSample } from '../support/run-workflows.ts';
import type { LoadOptions } from './options.ts';

export interface LoadSummary {
  completed: number;
  failed: number;
  wallSeconds: number;
  /** Completed runs per second of the whole run. */
  throughput: number;
  latencyMs: ReturnType<typeof summarize>;
  failuresByCause: Record<string, number>;
}

export function summarizeLoad(samples: RunSample[], wallMs: number): LoadSummary {
  const completed = samples.filter((s) => s.outcome === 'completed');
  const failuresByCause: Record<string, number> = {};
  for (const s of samples) if (s.outcome !== 'completed') failuresByCause[s.outcome] = (failuresByCause[s.outcome] ?? 0) + 1;
  const wallSeconds = wallMs / 1000;
  return {
    completed: completed.length,
    failed: samples.length - completed.length,
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    throughput: Math.round((completed.length / wallSeconds) * 10) / 10,
    latencyMs: summarize(completed.map((s) => s.latencyMs)),
    failuresByCause,
  };
}

export function summaryLines(options: LoadOptions, summary: LoadSummary): string[] {
  const { p50, p90, p99, max } = summary.latencyMs;
  const causes = Object.entries(summary.failuresByCause)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, count]) => `  ${String(count).padStart(6)}  ${cause}`);
  return [
    `${summary.completed} of ${options.workflows} ${options.kind} runs completed, ${summary.failed} failed, in ${summary.wallSeconds} s: ${summary.throughput} workflows/s`,
    `end-to-end latency ms: p50 ${p50}, p90 ${p90}, p99 ${p99}, max ${max}`,
    ...(causes.length > 0 ? ['failures by cause:', ...causes] : []),
  ];
}
