// npm run load: a load test against the running stack, as USAGE says; docs/performance.md explains the numbers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadConfig, orExit } from '../shared/config.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { summarize } from '../shared/service/metrics.ts';
import { KIND_NAMES, type WorkflowKind } from '../temporal/workflows/kinds.ts';
import { chartSvg } from './load/chart.ts';
import { optionsOrExit, UsageError, workflowsAndConcurrency } from './support/args.ts';
import { progressBar } from './support/progress.ts';
import { findRunningStack } from './support/running-stack.ts';
import { runWorkflows } from './support/run-workflows.ts';

const USAGE = `Usage: npm run load -- [--workflows N] [--concurrency C] [--kind ${KIND_NAMES.join('|')}] [--out DIR]

Runs N workflows against the running stack (start it first: npm start or npm run dev:all), at most C
at a time, with a progress bar. Then prints the throughput, the end-to-end latency percentiles and the
failures by cause, and writes a JSON file and an SVG chart (latency over time, throughput) to DIR.

  --workflows N     workflows to run, 1 to 1000000 (default 1000)
  --concurrency C   workflows in flight at once, 1 to 1000 and at most N (default 50)
  --kind K          which workflow: ${KIND_NAMES.join(', ')} (default multi)
  --out DIR         where the results go (default results/, git-ignored)
  -h, --help        show this help

Exit codes: 0 every run completed; 1 some failed (counted by cause); 2 usage error; 3 Temporal or the
worker is not there.`;

const options = optionsOrExit(USAGE, ['workflows', 'concurrency', 'kind', 'out'], [], (values) => {
  const { workflows, concurrency } = workflowsAndConcurrency(values, 1000);
  const kind = values.kind ?? 'multi';
  if (!(KIND_NAMES as string[]).includes(kind)) throw new UsageError(`--kind must be one of ${KIND_NAMES.join(', ')}, got "${kind}"`);
  const out = values.out ?? 'results';
  if (out.trim() === '') throw new UsageError('--out must name a directory');
  return { workflows, concurrency, kind: kind as WorkflowKind, out };
});
const config = orExit(loadConfig);
const stack = await findRunningStack(config);
if ('problem' in stack) {
  console.error(`Cannot run the load test: ${stack.problem}. Start the stack first: npm start (or npm run dev:all).`);
  process.exit(3);
}

console.log(`${options.workflows} × ${options.kind}, ${options.concurrency} at a time, task queue "${stack.taskQueue}" on ${config.temporal.address}`);
const bar = progressBar(options.workflows, 'load');
const startedAt = new Date();
const { samples, wallMs } = await runWorkflows(stack.client, {
  kind: options.kind,
  count: options.workflows,
  concurrency: options.concurrency,
  taskQueue: stack.taskQueue,
  idPrefix: 'load',
  onEnded: (ended) => bar.update(ended),
});
await stack.close();

const completed = samples.filter((s) => s.outcome === 'completed');
const failuresByCause: Record<string, number> = {};
for (const s of samples) if (s.outcome !== 'completed') failuresByCause[s.outcome] = (failuresByCause[s.outcome] ?? 0) + 1;
const wallSeconds = wallMs / 1000;
const summary = {
  completed: completed.length,
  failed: samples.length - completed.length,
  wallSeconds: Math.round(wallSeconds * 10) / 10,
  throughput: Math.round((completed.length / wallSeconds) * 10) / 10,
  latencyMs: summarize(completed.map((s) => s.latencyMs)),
  failuresByCause,
};
const { p50, p90, p99, max } = summary.latencyMs;
const causes = Object.entries(failuresByCause).sort((a, b) => b[1] - a[1]);
console.log(
  [
    `${summary.completed} of ${options.workflows} ${options.kind} runs completed, ${summary.failed} failed, in ${summary.wallSeconds} s: ${summary.throughput} workflows/s`,
    `end-to-end latency ms: p50 ${p50}, p90 ${p90}, p99 ${p99}, max ${max}`,
    ...(causes.length > 0 ? ['failures by cause:', ...causes.map(([cause, count]) => `  ${String(count).padStart(6)}  ${cause}`)] : []),
  ].join('\n'),
);

const machine = `${cpus().length} CPUs, Node ${process.versions.node}`;
const name = `load-${options.kind}-${options.workflows}-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
const dir = fromProjectRoot(options.out);
mkdirSync(dir, { recursive: true });
const title = `${options.workflows} ${options.kind} workflows, ${options.concurrency} at a time: ${summary.throughput} workflows/s`;
const subtitle = `p50 ${p50} ms, p99 ${p99} ms, ${summary.failed} failed; ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}`;
writeFileSync(join(dir, `${name}.svg`), await chartSvg(samples, wallMs, title, subtitle));
const record = { startedAt: startedAt.toISOString(), options, machine, address: config.temporal.address, summary, samples };
writeFileSync(join(dir, `${name}.json`), JSON.stringify(record, null, 1));
console.log(`results: ${join(options.out, `${name}.json`)} and ${join(options.out, `${name}.svg`)}`);
process.exitCode = summary.failed > 0 ? 1 : 0;
