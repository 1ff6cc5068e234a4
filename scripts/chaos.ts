// npm run chaos: durable execution under fire, as USAGE says (docs/chaos.md).
import { randomInt } from 'node:crypto';
import { loadConfig, orExit } from '../shared/config.ts';
import { planChaos, planWorkflows, seededRandom } from './chaos/plan.ts';
import { report } from './chaos/report.ts';
import { runUnderChaos } from './chaos/runner.ts';
import { optionsOrExit, UsageError, wholeNumber } from './support/args.ts';
import { LocalStack } from './support/local-stack.ts';

const USAGE = `Usage: npm run chaos -- [--workflows N] [--concurrency C] [--seed S] [--saga-share P]

Starts a whole stack of its own (Temporal dev server, Server A, Server B, one worker) on free ports,
with every database in a temporary directory, and runs N workflows (multi-server and the publish saga)
while it kills Server B 4 times and the worker twice with SIGKILL, each back after a few seconds. Then
it checks every result and the saga's effects in the services' state, and stops everything.

  --workflows N     workflows to run, 1 to 100000 (default 100)
  --concurrency C   workflows in flight at once, 1 to 1000 (default 50)
  --seed S          seed of the workflow mix, kill moments and downtimes, 0 to 4294967295
                    (default: a random one, printed so the run can be repeated)
  --saga-share P    share of publish sagas among the workflows, 0 to 1 (default 0.5)
  -h, --help        show this help

Exit codes: 0 every workflow ended as expected, none lost, no duplicate or inconsistent effect;
1 anything else (the report says what); 2 usage error.`;

const { workflows, concurrency, seed, sagaShare } = optionsOrExit(USAGE, ['workflows', 'concurrency', 'seed', 'saga-share'], [], (values) => {
  const share = values['saga-share'] ?? '0.5';
  const sagaShare = Number(share);
  if (share.trim() === '' || !(sagaShare >= 0 && sagaShare <= 1)) throw new UsageError(`--saga-share must be a number from 0 to 1, got "${share}"`);
  return {
    workflows: wholeNumber('--workflows', values.workflows ?? '100', 1, 100_000),
    concurrency: wholeNumber('--concurrency', values.concurrency ?? '50', 1, 1_000),
    seed: values.seed === undefined ? randomInt(2 ** 32) : wholeNumber('--seed', values.seed, 0, 2 ** 32 - 1),
    sagaShare,
  };
});
const config = orExit(loadConfig);

const t0 = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const plan = planWorkflows(workflows, sagaShare);
const events = planChaos(workflows, seededRandom(seed));
const sagas = plan.filter((w) => w.kind === 'publish').length;
// No run may hang: past this, runs without a result are reported as lost. 5 minutes plus 1 s a workflow: generous on 2 cores.
const deadlineMs = Math.ceil(5 + workflows / 60) * 60_000;
console.log(
  `Chaos run: ${workflows} workflows (${workflows - sagas} multi-server, ${sagas} publish sagas), ${concurrency} at a time, ` +
    `seed ${seed}, deadline ${deadlineMs / 60_000} min`,
);
console.log(`Kills planned: ${events.map((e) => `${e.target} before workflow ${e.beforeStart}`).join(', ')}`);

const starting = LocalStack.startOrExit(config.temporal.cliPath, say, 'chaos');
// Ctrl-C, SIGTERM or the end of the run: the first one's exit code wins, and the stack is always stopped (once
// it is up, when it is still starting).
let interrupted = false;
let exiting: Promise<never> | undefined;
const shutdown = (code: number): Promise<never> =>
  (exiting ??= (async () => {
    await (await starting).stop();
    // A Ctrl-C also reaches the dev server (same process group), whose exit may fail the run before the signal
    // handler runs here: an interrupted run exits 130 whichever came first.
    process.exit(interrupted ? 130 : code);
  })());
// Stopping closes the client's connection under the runs still in flight; the SDK's gRPC retry timer of such a call
// then throws "Channel has been shut down" from a timer (seen in CI after Ctrl-C, which then exited 1). While
// stopping, that is no news; anything else still ends the process as an uncaught error would.
process.on('uncaughtException', (error) => {
  if (exiting && error.message === 'Channel has been shut down') return;
  console.error(error);
  process.exit(1);
});
const interrupt = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  say(`${signal}: stopping the stack`);
  void shutdown(130);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, interrupt);
const stack = await starting;
if (interrupted) await shutdown(130);
say(`stack up, state in ${stack.dir}`);
console.log(`           Temporal  ${stack.temporal.address} (pid ${stack.temporal.child.pid})`);
for (const name of ['server-a', 'server-b'] as const) console.log(`           ${name}  ${stack.urls[name]} (pid ${stack.pid(name)})`);
console.log(`           worker    task queue "${stack.taskQueue}" (pid ${stack.pid('worker')})`);

let exitCode = 1;
try {
  const started = performance.now();
  const run = await Promise.race([runUnderChaos(stack, plan, events, { concurrency, deadline: started + deadlineMs, say }), stack.fatal]);
  const wallMs = performance.now() - started;
  if (run.deadlinePassed) say(`the deadline of ${deadlineMs / 60_000} min passed: the runs without a result are counted as lost`);
  else say(`every workflow ended; checking the services' state and the histories`);
  const { lines, ok } = await report(stack, run, { seed, planned: workflows, events, wallMs });
  console.log(['', ...lines].join('\n'));
  exitCode = ok ? 0 : 1;
} catch (error) {
  // After Ctrl-C, whatever broke as the stack went down is no news.
  if (!interrupted) console.error(`The chaos run could not finish: ${error instanceof Error ? error.message : String(error)}`);
}
await shutdown(exitCode);
