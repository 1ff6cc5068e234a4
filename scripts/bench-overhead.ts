// npm run bench:overhead: what the orchestration costs, as USAGE says; docs/performance.md explains the numbers.
import { cpus } from 'node:os';
import { summarize } from '../shared/service/metrics.ts';
import { loadConfig, orExit } from '../shared/config.ts';
import { cpuSeconds, findProcesses } from './bench/cpu.ts';
import { directChain, MULTI_SERVER_SERVICE_STEPS } from './bench/direct-chain.ts';
import { optionsOrExit, wholeNumber, workflowsAndConcurrency } from './support/args.ts';
import { devServer, LocalStack } from './support/local-stack.ts';
import { progressBar } from './support/progress.ts';
import { findRunningStack, type RunningStack } from './support/running-stack.ts';
import { runWorkflows } from './support/run-workflows.ts';

/** Runs before measuring, not counted: connections, caches and the JIT warm up. */
const WARM_UP = 10;

const USAGE = `Usage: npm run bench:overhead -- [--runs N] [--workflows M] [--concurrency C] [--own-stack]

What the orchestration costs, in one run: the multi-server workflow's chain of service calls made
directly (same activity code, no Temporal), the same chain as a workflow one run at a time, and M
workflows C at a time. Uses the running stack (npm start) when a worker polls its task queue, otherwise
starts one of its own (dev server with the project's settings, state on disk in a temporary directory).

  --runs N          sequential runs of the direct chain and of the workflow, 1 to 10000 (default 50)
  --workflows M     workflows of the concurrent part, 1 to 1000000 (default 1000)
  --concurrency C   workflows in flight at once, 1 to 1000 and at most M (default 50)
  --own-stack       start a stack of its own even when one is running
  -h, --help        show this help

Exit codes: 0 measured and every workflow completed; 1 a workflow failed or the stack did not start;
2 usage error.`;

const options = optionsOrExit(USAGE, ['runs', 'workflows', 'concurrency'], ['own-stack'], (values) => {
  const { workflows, concurrency } = workflowsAndConcurrency(values, 1000);
  return { runs: wholeNumber('--runs', values.runs ?? '50', 1, 10_000), workflows, concurrency, ownStack: values['own-stack'] ?? false };
});
const config = orExit(loadConfig);

const running = options.ownStack ? { problem: '--own-stack' } : await findRunningStack(config);
let own: LocalStack | undefined;
if ('problem' in running) {
  console.log(`Starting a stack of its own (${running.problem}): dev server with state on disk, Server A, Server B, one worker...`);
  own = await LocalStack.startOrExit((line) => console.log(line), 'bench', devServer(config.temporal.cliPath));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
} else {
  console.log(`Using the running stack: Temporal at ${config.temporal.address}, task queue "${running.taskQueue}".`);
}
const { client, taskQueue } = own ?? (running as RunningStack);
const urls = own?.urls ?? { 'server-a': config.serverA.url, 'server-b': config.serverB.url };
const token = own ? own.token : config.serviceToken;

// First, while the machine is quiet: the worker's start once Temporal answers and its bundle is kept.
if (own) {
  await own.kill('worker');
  const readyMs = await own.restart('worker');
  console.log(`worker restarted with the kept workflow bundle, Temporal already answering: polling ${(readyMs / 1000).toFixed(2)} s after its process started`);
}

// Read after the restart: the worker measured is the one running now.
// The Temporal server: the dev server, or every process of a self-hosted one (npm run temporal:postgres, a cluster too).
// Looked up at each reading: PostgreSQL's connections come and go (an ended one's CPU moves to its parent's count).
const runs = (script: string) => (argv: string[]) => argv.some((a) => a.endsWith(script));
const pids: Record<string, () => number[]> = {
  'temporal server': () => own?.temporal.pids() ?? findProcesses((argv) => argv.includes('start-dev') || argv[0]!.endsWith('temporal-server')),
  // The server and its connections (named "postgres: 15/main: …"), for a running server on PostgreSQL.
  ...(own ? {} : { postgresql: () => findProcesses((argv) => /^(\S*\/)?postgres\b/.test(argv[0]!)) }),
  worker: () => (own ? [own.pid('worker')!] : findProcesses(runs('temporal/worker.ts'))),
  'server-a': () => (own ? [own.pid('server-a')!] : findProcesses(runs('server-a/index.ts'))),
  'server-b': () => (own ? [own.pid('server-b')!] : findProcesses(runs('server-b/index.ts'))),
};
/** Summed over a role's processes (one that ended between finding and reading counts in its parent's); undefined when none was found. */
const cpuOf = (list: number[]) => {
  const each = list.flatMap((pid) => cpuSeconds(pid) ?? []);
  return each.length === 0 ? undefined : each.reduce((sum, seconds) => sum + seconds, 0);
};
const cpuNow = () => ({
  ...Object.fromEntries(Object.entries(pids).map(([name, find]) => [name, cpuOf(find())])),
  'this client': (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
});

const percentiles = ({ p50, p90, p99 }: ReturnType<typeof summarize>) => `p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms`;
const chain = directChain(urls, token);
for (let i = 0; i < WARM_UP; i++) await chain(`warm-up ${i}`);
const direct: number[] = [];
for (let i = 0; i < options.runs; i++) {
  const t0 = performance.now();
  await chain(`direct run number ${i}`);
  direct.push(performance.now() - t0);
}
const d = summarize(direct);
console.log(`direct chain (the same activity code, no Temporal), ${options.runs} one after another: ${percentiles(d)}`);

const common = { kind: 'multi' as const, taskQueue, idPrefix: 'bench' };
await runWorkflows(client, { ...common, count: WARM_UP, concurrency: 1 });
const sequential = await runWorkflows(client, { ...common, count: options.runs, concurrency: 1 });
const failedSequential = sequential.samples.filter((s) => s.outcome !== 'completed').length;
const w = summarize(sequential.samples.map((s) => s.latencyMs));
const perStep = (w.p50 - d.p50) / MULTI_SERVER_SERVICE_STEPS;
console.log(`workflow, ${options.runs} one after another: ${percentiles(w)}${failedSequential ? `, ${failedSequential} failed` : ''}`);
console.log(
  `  orchestration overhead: ${perStep.toFixed(1)} ms per step (${MULTI_SERVER_SERVICE_STEPS} steps that call a service), ` +
    `the workflow takes ${(w.p50 / d.p50).toFixed(1)}× the direct chain`,
);

const before = cpuNow();
const bar = progressBar(options.workflows, 'concurrent');
const concurrent = await runWorkflows(client, { ...common, count: options.workflows, concurrency: options.concurrency, onEnded: (n) => bar.update(n) });
const after = cpuNow();
const completed = concurrent.samples.filter((s) => s.outcome === 'completed');
const c = summarize(completed.map((s) => s.latencyMs));
const failed = concurrent.samples.length - completed.length;
console.log(
  `workflow, ${options.workflows} with ${options.concurrency} at a time: ${(completed.length / (concurrent.wallMs / 1000)).toFixed(1)} workflows/s, ` +
    `${percentiles(c)}, ${failed} failed`,
);
const perWorkflow = Object.entries(after).map(([name, end]) => {
  const start = before[name as keyof typeof before];
  return end === undefined || start === undefined ? `${name} ?` : `${name} ${(((end - start) * 1000) / options.workflows).toFixed(1)}`;
});
console.log(`  CPU per workflow (ms): ${perWorkflow.join(', ')}; ${cpus().length} CPUs (? = process not found)`);

await (own ? own.stop() : (running as RunningStack).close());
process.exitCode = failed + failedSequential > 0 ? 1 : 0;
