// npm run drill:cluster: a Temporal cluster that loses a node, as USAGE says (docs/production.md).
import { mkdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { loadConfig, orExit } from '../shared/config.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { ensureTemporalCliOrExit } from '../temporal/dev/temporal-cli.ts';
import { startWorkflow } from '../temporal/run-kinds.ts';
import { ensureSelfHostedBinaries } from '../temporal/self-hosted/binaries.ts';
import { CLUSTER_ROLES, HISTORY_SHARDS, type RunningCluster, startCluster } from '../temporal/self-hosted/cluster.ts';
import { COMPOSE_VERSIONS } from '../temporal/self-hosted/versions.ts';
import { planWorkflows } from './chaos/plan.ts';
import { report } from './chaos/report.ts';
import { type Fault, runUnderChaos, seconds } from './chaos/runner.ts';
import { createOwnPostgres, type OwnPostgres } from './drill/own-postgres.ts';
import { optionsOrExit, workflowsAndConcurrency } from './support/args.ts';
import { LocalStack } from './support/local-stack.ts';
import { shutdownOnce } from './support/shutdown.ts';

/** New workflows that must complete after a fault before it counts as healed: they land on every shard but by bad luck. */
const PROBES = 16;
const POSTGRES_DOWN_MS = 10_000;
/** A fault not healed by then fails the drill instead of hanging it. */
const HEAL_TIMEOUT_MS = 300_000;

const USAGE = `Usage: npm run drill:cluster -- [--workflows N] [--concurrency C]

Runs the Compose stack's Temporal server as a cluster of separate processes (frontend, two history
hosts, matching, the internal worker; ${HISTORY_SHARDS} history shards) on a PostgreSQL cluster of its own, with
Server A, Server B and one worker, and runs N workflows (multi-server and the publish saga), C at a
time, through four faults, each once the one before has healed (${PROBES} new workflows completed):
  1. SIGKILL one history host; it stays down, and the other takes over its shards
  2. restart matching (SIGTERM, then start it again)
  3. restart the frontend
  4. stop PostgreSQL for ${POSTGRES_DOWN_MS / 1000} s, then start it again
Then it checks every result and the sagas' effects in the services' state, and stops and removes
everything (the server's logs stay in .temporal/cluster-drill/).
Needs the binaries (npm run temporal:postgres -- --install), Debian's PostgreSQL server, and root.

  --workflows N     workflows to run, 1 to 1000000 (default 400)
  --concurrency C   workflows in flight at once, 1 to 1000 and at most N (default 100, or N)
  -h, --help        show this help

Exit codes: 0 every workflow ended as expected, none lost, no duplicate or inconsistent effect, every
fault healed; 1 anything else (the report says what); 2 usage error.`;

const { workflows, concurrency } = optionsOrExit(USAGE, ['workflows', 'concurrency'], [], (values) => workflowsAndConcurrency(values, 400, 100));
const config = orExit(loadConfig);

const t0 = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const plan = planWorkflows(workflows, 0.5);
// No run may hang: past this, runs without a result are reported as lost.
const deadlineMs = Math.ceil(5 + workflows / 60) * 60_000;
console.log(`Cluster drill: ${workflows} workflows (multi-server and publish sagas), ${concurrency} at a time, deadline ${deadlineMs / 60_000} min`);

let postgres: OwnPostgres | undefined;
let cluster: RunningCluster | undefined;
const logDir = fromProjectRoot('.temporal/cluster-drill');
const starting = (async () => {
  const binaries = await ensureSelfHostedBinaries(say);
  const cli = (await ensureTemporalCliOrExit(config.temporal.cliPath)).path;
  postgres = await createOwnPostgres();
  say(`${postgres.name} created`);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  return LocalStack.startOrExit(say, 'drill', async () => {
    cluster = await startCluster({ binaries, cli, postgres: postgres!.settings, namespace: 'default', retention: '24h', logDir, say });
    const running = cluster;
    return {
      address: running.address,
      pids: () => CLUSTER_ROLES.flatMap((role) => running.pid(role) ?? []),
      failed: running.unplannedExit.then(({ role, code }) => `the cluster's ${role} exited on its own (code ${code}); its log: ${logDir}/cluster-${role}.log`),
      stop: running.stop,
      stopNow: running.stopNow,
    };
  });
})().catch((error: unknown) => {
  console.error(`The drill could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const { shutdown, interrupted } = shutdownOnce(async () => {
  await (await starting).stop();
  postgres?.drop();
}, say);
const stack = await starting;
if (interrupted()) await shutdown(130);
const live = cluster!;
const pg = postgres!;
say(`stack up, Temporal ${COMPOSE_VERSIONS.temporalServer} at ${stack.temporal.address}, logs in ${logDir}`);
for (const role of CLUSTER_ROLES) console.log(`           ${`temporal ${role}`.padEnd(19)} (pid ${live.pid(role)})`);
for (const name of ['server-a', 'server-b'] as const) console.log(`           ${name.padEnd(19)} ${stack.urls[name]} (pid ${stack.pid(name)})`);
console.log(`           ${'worker'.padEnd(19)} task queue "${stack.taskQueue}" (pid ${stack.pid('worker')})`);

/** Healed: PROBES new workflows completed, each retried through whatever the fault still breaks, within HEAL_TIMEOUT_MS. */
let probeRound = 0;
async function probes(): Promise<string> {
  const round = ++probeRound;
  const timeout = Promise.withResolvers<never>();
  const timer = setTimeout(() => timeout.reject(new Error(`${PROBES} new workflows did not complete within ${HEAL_TIMEOUT_MS / 1000} s`)), HEAL_TIMEOUT_MS);
  let timedOut = false;
  const probe = async (i: number) => {
    const workflowId = `simple-drill-probe-${round}-${i}`;
    while (!timedOut) {
      try {
        await startWorkflow(stack.client, 'simple', { taskQueue: stack.taskQueue, workflowId }, { data: `Drill probe ${round}.${i}` }).catch(
          (error: unknown) => {
            if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
          },
        );
        await stack.client.workflow.getHandle(workflowId).result();
        return;
      } catch {
        await sleep(500);
      }
    }
  };
  try {
    // A result that never comes is a long poll that never throws: the timer ends the wait.
    await Promise.race([Promise.all(Array.from({ length: PROBES }, (_, i) => probe(i))), timeout.promise]);
  } finally {
    timedOut = true;
    clearTimeout(timer);
  }
  return `${PROBES} new workflows completed`;
}

// The first fault once every slot is taken, the others spread over the rest of the starts.
const first = Math.min(concurrency, workflows - 1);
const moment = (k: number) => first + Math.floor(((workflows - 1 - first) * k) / 4);
const faults: Fault[] = [
  {
    name: 'history-2 killed',
    beforeStart: first,
    since: 'the kill',
    strike: async () => {
      const pid = live.pid('history-2');
      await live.kill('history-2');
      return { did: `SIGKILL history-2 (pid ${pid}), which stays down`, healing: probes().then((done) => `${done}, history-1 serving every shard`) };
    },
  },
  ...(['matching', 'frontend'] as const).map((role, i) => ({
    name: `${role} restarted`,
    beforeStart: moment(1 + i),
    since: 'the SIGTERM',
    strike: async () => {
      await live.restart(role);
      return { did: `${role} restarted (pid ${live.pid(role)})`, healing: probes() };
    },
  })),
  {
    name: `PostgreSQL stopped for ${seconds(POSTGRES_DOWN_MS)}`,
    beforeStart: moment(3),
    since: 'the stop',
    strike: async () => {
      await pg.stop();
      const healing = sleep(POSTGRES_DOWN_MS)
        .then(() => pg.start())
        .then(probes)
        .then((done) => `PostgreSQL up again, ${done}`);
      return { did: 'PostgreSQL stopped', downFor: POSTGRES_DOWN_MS, healing };
    },
  },
];

let exitCode = 1;
try {
  const started = performance.now();
  const run = await Promise.race([runUnderChaos(stack, plan, faults, { concurrency, deadline: started + deadlineMs, label: 'fault', say }), stack.fatal]);
  const wallMs = performance.now() - started;
  if (run.deadlinePassed) say(`the deadline of ${deadlineMs / 60_000} min passed: the runs without a result are counted as lost`);
  else say(`every workflow ended; checking the services' state and the histories`);
  const healed = run.healedAfterMs.filter((ms) => ms !== undefined).length;
  const each = faults.map((fault, i) => `${fault.name}: ${run.healedAfterMs[i] === undefined ? 'not healed' : seconds(run.healedAfterMs[i])}`);
  const faultLines = [`  Healed       ${healed} of ${faults.length} faults (until ${PROBES} new workflows completed): ${each.join(', ')}`];
  const { lines, ok } = await report(stack, run, { planned: workflows, wallMs, faults: { lines: faultLines, ok: healed === faults.length } });
  console.log(['', ...lines].join('\n'));
  exitCode = ok ? 0 : 1;
} catch (error) {
  if (!interrupted()) console.error(`The drill could not finish: ${error instanceof Error ? error.message : String(error)}`);
}
await shutdown(exitCode);
