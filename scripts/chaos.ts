// npm run chaos: durable execution under fire, as USAGE says (docs/chaos.md).
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, orExit } from '../shared/config.ts';
import { planChaos, planWorkflows, seededRandom } from './chaos/plan.ts';
import { report } from './chaos/report.ts';
import { type Fault, runUnderChaos, seconds } from './chaos/runner.ts';
import { optionsOrExit, UsageError, wholeNumber } from './support/args.ts';
import { devServer, LocalStack } from './support/local-stack.ts';
import { shutdownOnce } from './support/shutdown.ts';

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

const starting = LocalStack.startOrExit(say, 'chaos', devServer(config.temporal.cliPath));
// Stopped once it is up, when it is still starting.
const { shutdown, interrupted } = shutdownOnce(async () => (await starting).stop(), say);
const stack = await starting;
if (interrupted()) await shutdown(130);
say(`stack up, state in ${stack.dir}`);
console.log(`           Temporal  ${stack.temporal.address} (pid ${stack.temporal.pids().join(', ')})`);
for (const name of ['server-a', 'server-b'] as const) console.log(`           ${name}  ${stack.urls[name]} (pid ${stack.pid(name)})`);
console.log(`           worker    task queue "${stack.taskQueue}" (pid ${stack.pid('worker')})`);

let exitCode = 1;
try {
  const started = performance.now();
  // Each kill's process comes back on its own after its downtime: healed once it listens (the worker: polls) again.
  const faults: Fault[] = events.map(({ target, beforeStart, downMs }) => ({
    name: `${target} killed`,
    beforeStart,
    since: 'the kill',
    strike: async () => {
      await stack.kill(target);
      const healing = sleep(downMs)
        .then(() => stack.restart(target))
        .then(() => `${target} ${target === 'worker' ? 'polling' : 'listening'} again (pid ${stack.pid(target)})`);
      return { did: `SIGKILL ${target}`, downFor: downMs, healing };
    },
  }));
  const run = await Promise.race([runUnderChaos(stack, plan, faults, { concurrency, deadline: started + deadlineMs, label: 'chaos', say }), stack.fatal]);
  const wallMs = performance.now() - started;
  if (run.deadlinePassed) say(`the deadline of ${deadlineMs / 60_000} min passed: the runs without a result are counted as lost`);
  else say(`every workflow ended; checking the services' state and the histories`);
  const done = events.flatMap((event, i) => (run.healedAfterMs[i] === undefined ? [] : [{ ...event, backAfterMs: run.healedAfterMs[i] }]));
  const killed = (target: string) => done.filter((d) => d.target === target).length;
  const range = (values: number[]) => (values.length === 0 ? '-' : `${(Math.min(...values) / 1000).toFixed(1)}-${seconds(Math.max(...values))}`);
  const verdict = {
    lines: [
      `  Chaos        server-b killed ${killed('server-b')} times, worker killed ${killed('worker')} times (${done.length} of ${events.length} planned); ` +
        `down ${range(done.map((d) => d.downMs))}, back ${range(done.map((d) => d.backAfterMs))} after the kill`,
    ],
    ok: done.length === events.length,
  };
  const { lines, ok } = await report(stack, run, { seed, planned: workflows, wallMs, faults: verdict });
  console.log(['', ...lines].join('\n'));
  exitCode = ok ? 0 : 1;
} catch (error) {
  // After Ctrl-C, whatever broke as the stack went down is no news.
  if (!interrupted()) console.error(`The chaos run could not finish: ${error instanceof Error ? error.message : String(error)}`);
}
await shutdown(exitCode);
