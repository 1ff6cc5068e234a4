// The chaos run's report: a few lines a person can read, and the verdict that sets the exit code.
import type { SagaEffects } from './effects.ts';
import type { ChaosDone } from './events.ts';
import type { ChaosEvent } from './plan.ts';
import type { Run } from './runner.ts';
import type { UnplannedExit } from '../support/local-stack.ts';

export interface ReportInput {
  seed: number;
  runs: Run[];
  planned: number;
  effects: SagaEffects;
  retried: { steps: number; runs: number };
  chaosPlanned: ChaosEvent[];
  chaosDone: ChaosDone[];
  unplannedExits: UnplannedExit[];
  wallMs: number;
}

export function report(input: ReportInput): { lines: string[]; ok: boolean } {
  const { runs, effects, chaosDone } = input;
  const lost = runs.filter((r) => r.outcome.status === 'running').length + (input.planned - runs.length);
  const failures = new Map<string, string[]>();
  let completed = 0;
  // Completed on a step's fallback (Server B's circuit breaker was open): an answer with less in it, not a loss.
  let degraded = 0;
  const multi = { completed: 0, sameContent: 0 };
  const saga = { published: 0, rejected: 0, rejectedExpected: 0 };
  for (const run of runs) {
    const problem = unexpected(run);
    if (problem) failures.set(problem, [...(failures.get(problem) ?? []), run.workflowId]);
    if (run.outcome.status !== 'completed') continue;
    completed++;
    const { result } = run.outcome;
    if (result.workflow === 'multiServerWorkflow') {
      multi.completed++;
      if (result.summary.hashesMatch) multi.sameContent++;
      if (result.degraded) degraded++;
    } else {
      saga[result.outcome]++;
      if (run.planned.expectedOutcome === 'rejected') saga.rejectedExpected++;
    }
  }
  const failed = [...failures.values()].reduce((n, ids) => n + ids.length, 0);
  const byTarget = (target: string) => chaosDone.filter((c) => c.target === target).length;
  const range = (values: number[]) => (values.length === 0 ? '-' : `${(Math.min(...values) / 1000).toFixed(1)}-${seconds(Math.max(...values))}`);

  const lines = [
    `Report (seed ${input.seed})`,
    `  Workflows    ${runs.length} started of ${input.planned}: ${completed} completed (${degraded} degraded, not lost), ${failed} failed or unexpected, ${lost} still running (lost)`,
    `  Completed    multi-server ${multi.completed} (same content on both servers in ${multi.sameContent}); ` +
      `publish saga ${saga.published + saga.rejected}: ${saga.published} published, ${saga.rejected} rejected by Server B's rules (${saga.rejectedExpected} expected)`,
    `  Failed       ${failed === 0 ? 'none' : failed}`,
    ...[...failures].map(([reason, ids]) => `    ${String(ids.length).padStart(5)} × ${reason} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`),
    `  Saga state   ${effects.checked} sagas checked: records ${histogram(effects.recordsPerRun)}; publications ${histogram(effects.publicationsPerRun)}`,
    `               ${effects.duplicates.length} duplicates, ${effects.inconsistent.length} inconsistent, ${effects.strays} effects of no saga`,
    ...effects.inconsistent.slice(0, 5).map((x) => `               ${x.workflowId}: ${x.problem}`),
    ...(effects.inconsistent.length > 5 ? [`               … and ${effects.inconsistent.length - 5} more`] : []),
    `  Retries      ${input.retried.steps} steps in ${input.retried.runs} runs needed more than one attempt`,
    `  Chaos        server-b killed ${byTarget('server-b')} times, worker killed ${byTarget('worker')} times (${chaosDone.length} of ${input.chaosPlanned.length} planned); ` +
      `down ${range(chaosDone.map((c) => c.downMs))}, back ${range(chaosDone.map((c) => c.backAfterMs))} after the kill`,
    `               ${input.unplannedExits.length === 0 ? 'no process exited on its own' : `exited on their own: ${input.unplannedExits.map((x) => `${x.name} (${x.signal ?? `code ${x.code}`})`).join(', ')}`}`,
    `  Time         ${seconds(input.wallMs)}, ${(completed / (input.wallMs / 1000)).toFixed(1)} workflows/s`,
  ];
  const ok =
    lost === 0 &&
    failed === 0 &&
    effects.duplicates.length === 0 &&
    effects.inconsistent.length === 0 &&
    effects.strays === 0 &&
    input.unplannedExits.length === 0 &&
    chaosDone.length === input.chaosPlanned.length;
  lines.push(ok ? 'OK: nothing lost, nothing failed, nothing duplicated, every saga consistent' : 'NOT OK: see above');
  return { lines, ok };
}

/** Why a closed run is not what it should be, or undefined when it is. */
function unexpected(run: Run): string | undefined {
  const { outcome } = run;
  if (outcome.status === 'running') return undefined;
  if (outcome.status !== 'completed') return `${outcome.status === 'not started' ? 'not started: ' : ''}${outcome.type}: ${outcome.message.slice(0, 160)}`;
  const { result } = outcome;
  if (result.workflow === 'multiServerWorkflow') return result.summary.hashesMatch ? undefined : 'completed, but the two servers saw different content';
  return result.outcome === run.planned.expectedOutcome ? undefined : `saga ${result.outcome}, ${run.planned.expectedOutcome} expected`;
}

/** "450 with 1, 50 with 0": how many sagas left how many. */
function histogram(counts: Map<number, number>): string {
  if (counts.size === 0) return '-';
  return [...counts]
    .sort(([x], [y]) => y - x)
    .map(([n, runs]) => `${runs} with ${n}`)
    .join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
