// npm run load -- [--workflows N] [--concurrency C] [--kind multi|simple|publish|adaptive] [--out DIR]
// A load test against the running stack: N workflows, at most C at a time, a progress bar while they run,
// then throughput, latency percentiles and failures by cause, and a JSON file and an SVG chart of the
// run in results/ (see docs/performance.md for what the numbers mean on this machine).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadConfigOrExit } from '../shared/config.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { chartSvg, seriesOf } from './load/chart.ts';
import { parseLoadArgs, USAGE } from './load/options.ts';
import { summarizeLoad, summaryLines } from './load/report.ts';
import { commandOrExit } from './support/args.ts';
import { ProgressBar } from './support/progress-bar.ts';
import { findRunningStack } from './support/running-stack.ts';
import { runWorkflows } from './support/run-workflows.ts';

const options = commandOrExit(() => parseLoadArgs(process.argv.slice(2)), USAGE);
const config = loadConfigOrExit();
const stack = await findRunningStack(config);
if ('problem' in stack) {
  console.error(`Cannot run the load test: ${stack.problem}. Start the stack first: npm start (or npm run dev:all).`);
  process.exit(3);
}

console.log(`${options.workflows} × ${options.kind}, ${options.concurrency} at a time, task queue "${stack.taskQueue}" on ${config.temporal.address}`);
const bar = new ProgressBar(options.workflows, 'load');
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

const summary = summarizeLoad(samples, wallMs);
console.log(summaryLines(options, summary).join('\n'));
const machine = `${cpus().length} CPUs, Node ${process.versions.node}`;
const name = `load-${options.kind}-${options.workflows}-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
const dir = fromProjectRoot(options.out);
mkdirSync(dir, { recursive: true });
const series = seriesOf(samples, wallMs);
const { p50, p99 } = summary.latencyMs;
writeFileSync(
  join(dir, `${name}.svg`),
  chartSvg(
    series,
    `${options.workflows} ${options.kind} workflows, ${options.concurrency} at a time: ${summary.throughput} workflows/s`,
    `p50 ${p50} ms, p99 ${p99} ms, ${summary.failed} failed; ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}`,
  ),
);
writeFileSync(
  join(dir, `${name}.json`),
  JSON.stringify({ startedAt: startedAt.toISOString(), options, machine, address: config.temporal.address, summary, series, samples }, null, 1),
);
console.log(`results: ${join(options.out, `${name}.json`)} and ${join(options.out, `${name}.svg`)}`);
process.exitCode = summary.failed > 0 ? 1 : 0;
