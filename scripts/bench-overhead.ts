// npm run bench:overhead -- [--runs N] [--workflows M] [--concurrency C] [--own-stack]
// What the orchestration costs: the multi-server workflow's service calls made directly, the same
// chain as a workflow one run at a time, and M workflows C at a time, in one run on one machine. Prints
// the overhead per step, the ratio, throughput and latency percentiles, the CPU each process spent per
// workflow, and (with a stack of its own) how soon a restarted worker polls. docs/performance.md
// explains the numbers.
import { cpus } from 'node:os';
import { summarize } from '../shared/service/metrics.ts';
import { loadConfigOrExit } from '../shared/config.ts';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../temporal/dev/temporal-cli.ts';
import { Client, Connection } from '@temporalio/client';
import { cpuSeconds, findProcess } from './bench/cpu.ts';
import { directChain, MULTI_SERVER_SERVICE_STEPS } from './bench/direct-chain.ts';
import { parseOverheadArgs, USAGE } from './bench/options.ts';
import { commandOrExit } from './support/args.ts';
import { LocalStack } from './support/local-stack.ts';
import { ProgressBar } from './support/progress-bar.ts';
import { findRunningStack } from './support/running-stack.ts';
import { runWorkflows } from './support/run-workflows.ts';

/** Runs before measuring, not counted: connections, caches and the JIT warm up. */
const WARM_UP = 10;

const options = commandOrExit(() => parseOverheadArgs(process.argv.slice(2)), USAGE);
const config = loadConfigOrExit();
const say = (line: string) => console.log(line);

let own: LocalStack | undefined;
let client: Client;
let taskQueue: string;
let urls = { 'server-a': config.serverA.url, 'server-b': config.serverB.url };
let token = config.serviceToken;
let close: () => Promise<void>;
const running = options.ownStack ? { problem: '--own-stack' } : await findRunningStack(config);
if ('problem' in running) {
  say(`Starting a stack of its own (${running.problem}): dev server with state on disk, Server A, Server B, one worker...`);
  let cli;
  try {
    cli = await ensureTemporalCli({ explicitPath: config.temporal.cliPath, log: say });
  } catch (error) {
    if (!(error instanceof TemporalCliUnavailableError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  try {
    own = await LocalStack.start(cli.path, say, 'bench');
  } catch (error) {
    console.error(`The stack did not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const stack = own;
  process.on('exit', () => stack.stopNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const connection = await Connection.connect({ address: stack.temporal.address });
  client = new Client({ connection, namespace: 'default' });
  ({ taskQueue, urls, token } = stack);
  close = async () => {
    await connection.close();
    await stack.stop();
  };
} else {
  say(`Using the running stack: Temporal at ${config.temporal.address}, task queue "${running.taskQueue}".`);
  ({ client, taskQueue, close } = running);
}

// First, while the machine is quiet: the worker's start once Temporal answers and its bundle is kept.
if (own) {
  await own.kill('worker');
  const readyMs = await own.restart('worker');
  say(`worker restarted with the kept workflow bundle, Temporal already answering: polling ${(readyMs / 1000).toFixed(2)} s after its process started`);
}

// Read after the restart: the worker measured is the one running now.
const pids = {
  'temporal server': own ? own.temporal.child.pid : findProcess((argv) => argv.includes('start-dev')),
  worker: own ? own.pid('worker') : findProcess((argv) => argv.some((a) => a.endsWith('temporal/worker.ts'))),
  'server-a': own ? own.pid('server-a') : findProcess((argv) => argv.some((a) => a.endsWith('server-a/index.ts'))),
  'server-b': own ? own.pid('server-b') : findProcess((argv) => argv.some((a) => a.endsWith('server-b/index.ts'))),
};
const cpuNow = () => ({
  ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : cpuSeconds(pid)])),
  'this client': (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
});

const chain = directChain(urls, token);
for (let i = 0; i < WARM_UP; i++) await chain(`warm-up ${i}`);
const direct: number[] = [];
for (let i = 0; i < options.runs; i++) {
  const t0 = performance.now();
  await chain(`direct run number ${i}`);
  direct.push(performance.now() - t0);
}
const d = summarize(direct);
say(`direct chain (the same activity code, no Temporal), ${options.runs} one after another: p50 ${d.p50} ms, p90 ${d.p90} ms, p99 ${d.p99} ms`);

const common = { kind: 'multi' as const, taskQueue, idPrefix: 'bench' };
await runWorkflows(client, { ...common, count: WARM_UP, concurrency: 1 });
const sequential = await runWorkflows(client, { ...common, count: options.runs, concurrency: 1 });
const failedSequential = sequential.samples.filter((s) => s.outcome !== 'completed').length;
const w = summarize(sequential.samples.map((s) => s.latencyMs));
const perStep = (w.p50 - d.p50) / MULTI_SERVER_SERVICE_STEPS;
say(`workflow, ${options.runs} one after another: p50 ${w.p50} ms, p90 ${w.p90} ms, p99 ${w.p99} ms${failedSequential ? `, ${failedSequential} failed` : ''}`);
say(
  `  orchestration overhead: ${perStep.toFixed(1)} ms per step (${MULTI_SERVER_SERVICE_STEPS} steps that call a service), ` +
    `the workflow takes ${(w.p50 / d.p50).toFixed(1)}× the direct chain`,
);

const before = cpuNow();
const bar = new ProgressBar(options.workflows, 'concurrent');
const concurrent = await runWorkflows(client, { ...common, count: options.workflows, concurrency: options.concurrency, onEnded: (n) => bar.update(n) });
const after = cpuNow();
const completed = concurrent.samples.filter((s) => s.outcome === 'completed');
const c = summarize(completed.map((s) => s.latencyMs));
const failed = concurrent.samples.length - completed.length;
say(
  `workflow, ${options.workflows} with ${options.concurrency} at a time: ${(completed.length / (concurrent.wallMs / 1000)).toFixed(1)} workflows/s, ` +
    `p50 ${c.p50} ms, p90 ${c.p90} ms, p99 ${c.p99} ms, ${failed} failed`,
);
const perWorkflow = Object.entries(after).map(([name, end]) => {
  const start = before[name as keyof typeof before];
  return end === undefined || start === undefined ? `${name} ?` : `${name} ${(((end - start) * 1000) / options.workflows).toFixed(1)}`;
});
say(`  CPU per workflow (ms): ${perWorkflow.join(', ')}; ${cpus().length} CPUs (? = process not found)`);

await close();
process.exitCode = failed + failedSequential > 0 ? 1 : 0;
