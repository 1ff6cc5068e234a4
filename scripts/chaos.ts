// npm run chaos -- [--workflows N] [--concurrency C] [--seed S] [--saga-share P]
// Durable execution under fire. Starts a whole stack of its own (scripts/support/local-stack.ts), runs N
// workflows, multi-server runs and publish sagas, while it kills Server B 4 times and the worker twice
// with SIGKILL at moments drawn from the seed, each back after a few seconds. Then it checks that every
// run ended as it should, and that each saga left exactly one record and at most one publication, in a
// state the saga promises. Exit code 0 only when nothing was lost, failed, duplicated or inconsistent.
import { randomInt } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../shared/config.ts';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../temporal/dev/temporal-cli.ts';
import { retriedSteps, sagaEffects } from './chaos/effects.ts';
import { ChaosEvents } from './chaos/events.ts';
import { parseChaosArgs, USAGE } from './chaos/options.ts';
import { commandOrExit } from './support/args.ts';
import { planChaos, planWorkflows, seededRandom } from './chaos/plan.ts';
import { report } from './chaos/report.ts';
import { WorkflowRunner } from './chaos/runner.ts';
import { LocalStack } from './support/local-stack.ts';

/** No run may hang: past this, runs without a result are reported as lost. 5 minutes plus 1 s a workflow: generous on 2 cores. */
const deadlineMinutes = (workflows: number) => Math.ceil(5 + workflows / 60);
const PROGRESS_EVERY_MS = 15_000;

const options = commandOrExit(() => parseChaosArgs(process.argv.slice(2), () => randomInt(2 ** 32)), USAGE);
const config = loadConfigOrExit();
const { workflows, concurrency, seed, sagaShare } = options;

const t0 = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const plan = planWorkflows(workflows, sagaShare);
const events = planChaos(workflows, seededRandom(seed));
const sagas = plan.filter((w) => w.kind === 'publish').length;
const deadlineMs = deadlineMinutes(workflows) * 60_000;
console.log(
  `Chaos run: ${workflows} workflows (${workflows - sagas} multi-server, ${sagas} publish sagas), ${concurrency} at a time, ` +
    `seed ${seed}, deadline ${deadlineMs / 60_000} min`,
);
console.log(`Kills planned: ${events.map((e) => `${e.target} before workflow ${e.beforeStart}`).join(', ')}`);

let cli;
try {
  cli = await ensureTemporalCli({ explicitPath: config.temporal.cliPath, log: say });
} catch (error) {
  if (!(error instanceof TemporalCliUnavailableError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// Ctrl-C, SIGTERM or the end of the run: the first one's exit code wins, and the stack is always stopped.
let stack: LocalStack | undefined;
let interrupted = false;
let exiting: Promise<never> | undefined;
const shutdown = (code: number): Promise<never> =>
  (exiting ??= (async () => {
    await stack?.stop();
    process.exit(code);
  })());
const interrupt = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  say(`${signal}: stopping the stack`);
  // While the stack is starting, it is stopped as soon as it is up.
  if (stack) void shutdown(130);
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
try {
  stack = await LocalStack.start(cli.path, say, 'chaos');
} catch (error) {
  console.error(`The stack did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
process.on('exit', () => stack?.stopNow());
if (interrupted) await shutdown(130);
say(`stack up, state in ${stack.dir}`);
for (const [name, where] of [
  ['Temporal', `${stack.temporal.address} (pid ${stack.temporal.child.pid})`],
  ['server-a', `${stack.urls['server-a']} (pid ${stack.pid('server-a')})`],
  ['server-b', `${stack.urls['server-b']} (pid ${stack.pid('server-b')})`],
  ['worker', `task queue "${stack.taskQueue}" (pid ${stack.pid('worker')})`],
]) {
  console.log(`           ${name!.padEnd(9)} ${where}`);
}

let exitCode = 1;
try {
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const started = performance.now();
  const runner = new WorkflowRunner(client, stack.taskQueue, plan, { concurrency, deadline: started + deadlineMs, progressEveryMs: PROGRESS_EVERY_MS, say });
  const chaos = new ChaosEvents(events, stack, () => runner.running, say);
  const { deadlinePassed } = await Promise.race([runner.run(chaos), stack.fatal]);
  const wallMs = performance.now() - started;
  if (deadlinePassed) say(`the deadline of ${deadlineMs / 60_000} min passed: the runs without a result are counted as lost`);
  else say(`every workflow ended; checking the services' state and the histories`);
  const effects = await sagaEffects(stack.urls, stack.token, runner.runs);
  const retried = await retriedSteps(client, runner.runs);
  const { lines, ok } = report({
    seed,
    runs: runner.runs,
    planned: workflows,
    effects,
    retried,
    chaosPlanned: events,
    chaosDone: chaos.done,
    unplannedExits: stack.unplannedExits,
    wallMs,
  });
  console.log(['', ...lines].join('\n'));
  exitCode = ok ? 0 : 1;
  await connection.close();
} catch (error) {
  // After Ctrl-C, whatever broke as the stack went down is no news.
  if (!interrupted) console.error(`The chaos run could not finish: ${error instanceof Error ? error.message : String(error)}`);
}
await shutdown(exitCode);
