// Starts the planned workflows, at most `concurrency` in flight, with each fault (a kill, a restart, an outage)
// injected just before the workflow it is planned for, so runs are in flight through it; a fault due while the one
// before is healing waits for it, and starts go on meanwhile. A run with no result by the deadline is reported as still running: lost, as far as this
// run can tell. The chaos run and the cluster drill both run here.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startWorkflow } from '../../temporal/run-kinds.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import type { PublishResult } from '../../temporal/workflows/publish.ts';
import type { LocalStack } from '../support/local-stack.ts';
import type { PlannedWorkflow } from './plan.ts';

export type Outcome =
  | { status: 'completed'; result: MultiServerResult | PublishResult }
  | { status: 'failed'; type: string; message: string }
  | { status: 'not started'; type: string; message: string }
  | { status: 'running' };

export interface Run {
  planned: PlannedWorkflow;
  workflowId: string;
  outcome: Outcome;
  /** How many of its start attempts failed (the server down or refusing). */
  failedStarts?: number;
}

export interface Fault {
  /** What the report calls it ("history-2 killed"). */
  name: string;
  /** Injected just before the workflow with this index is started (or, while the fault before is healing, once it has). */
  beforeStart: number;
  /**
   * Injects it and says what it did ("SIGKILL worker"; `downFor`, when it lasts a set time, ends the line);
   * `healing` resolves, saying how, once the stack serves again.
   */
  strike: () => Promise<{ did: string; downFor?: number; healing: Promise<string> }>;
  /** What the time to heal counts from ("the kill"). */
  since: string;
}

const PROGRESS_EVERY_MS = 15_000;
const START_RETRY_MS = 120_000;

export async function runUnderChaos(
  stack: LocalStack,
  plan: PlannedWorkflow[],
  faults: Fault[],
  /** deadline: performance.now() after which nothing more is awaited; label: what the fault lines start with. */
  { concurrency, deadline, label, say }: { concurrency: number; deadline: number; label: string; say: (line: string) => void },
) {
  const runs: Run[] = [];
  /** By fault: the milliseconds from the fault until it healed; undefined for one that did not heal or never struck. */
  const healedAfterMs: Array<number | undefined> = faults.map(() => undefined);
  const inFlight = new Set<Run>();
  let ended = 0;
  let slotFreed = () => {};
  let next = 0;
  /** The faults struck or queued, one after another; settles once the last one has healed or failed. */
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const pastDeadline = () => performance.now() > deadline;

  const inject = (i: number): Promise<void> => {
    const fault = faults[i]!;
    const prefix = `${label} ${i + 1}/${faults.length}:`;
    const struck = Promise.withResolvers<void>();
    pending++;
    chain = chain.then(async () => {
      try {
        if (pastDeadline()) return say(`${prefix} ${fault.name}: not struck, the deadline has passed`);
        const running = inFlight.size;
        const struckAt = performance.now();
        const { did, downFor, healing } = await fault.strike();
        say(`${prefix} ${did}, ${running} workflow${running === 1 ? '' : 's'} in flight${downFor === undefined ? '' : `; down for ${seconds(downFor)}`}`);
        struck.resolve();
        const how = await healing;
        healedAfterMs[i] = performance.now() - struckAt;
        say(`${prefix} ${how}, ${seconds(healedAfterMs[i])} after ${fault.since}`);
      } catch (error) {
        // Reported as not healed; the run goes on with the next fault.
        say(`${prefix} ${fault.name}: did not heal (${error instanceof Error ? error.message : String(error)})`);
      } finally {
        pending--;
        struck.resolve();
      }
    });
    return struck.promise;
  };

  /** Injects every fault due before workflow `index` starts: with none healing, it strikes first; otherwise it is queued and starts go on. */
  const faultsBefore = async (index: number) => {
    while (next < faults.length && faults[next]!.beforeStart <= index) {
      const idle = pending === 0;
      const struck = inject(next++);
      if (idle) await struck;
    }
  };

  const startOne = (planned: PlannedWorkflow) => {
    const run: Run = { planned, workflowId: `${WORKFLOW_KINDS[planned.kind].idPrefix}-chaos-${planned.index}`, outcome: { status: 'running' } };
    runs.push(run);
    // In flight from the moment it is sent: a start may take a while, and the slot is taken meanwhile.
    inFlight.add(run);
    void (async () => {
      run.outcome = await outcomeOf(stack.client, stack.taskQueue, run);
      ended++;
      inFlight.delete(run);
      slotFreed();
    })();
  };

  const progress = setInterval(() => say(`progress: ${runs.length}/${plan.length} started, ${ended} ended, ${inFlight.size} in flight`), PROGRESS_EVERY_MS);
  try {
    for (const planned of plan) {
      while (inFlight.size >= concurrency && !pastDeadline()) await Promise.race([new Promise<void>((r) => (slotFreed = r)), sleep(1_000)]);
      if (pastDeadline()) break;
      await faultsBefore(planned.index);
      startOne(planned);
    }
    // Any fault not yet due (every workflow was started), then every fault healed.
    await faultsBefore(Number.POSITIVE_INFINITY);
    await chain;
    while (inFlight.size > 0 && !pastDeadline()) await sleep(200);
  } finally {
    clearInterval(progress);
  }
  return { runs, healedAfterMs, deadlinePassed: inFlight.size > 0 || runs.length < plan.length };
}

/**
 * A start is tried again, a second apart, for up to START_RETRY_MS, whatever the error: while its database is down,
 * the frontend refuses starts with NamespaceNotFound (it cannot read the namespace), which is otherwise final. A start retried after a lost answer may find the
 * run already there; a lost result is awaited again.
 */
async function outcomeOf(client: Client, taskQueue: string, run: Run): Promise<Outcome> {
  const { kind, data } = run.planned;
  const giveUp = performance.now() + START_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await startWorkflow(client, kind, { taskQueue, workflowId: run.workflowId }, { data });
      break;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError && attempt > 1) break;
      run.failedStarts = attempt;
      if (performance.now() > giveUp) return { status: 'not started', ...reasonOf(error) };
      await sleep(1_000);
    }
  }
  for (;;) {
    try {
      return { status: 'completed', result: (await client.workflow.getHandle(run.workflowId).result()) as MultiServerResult | PublishResult };
    } catch (error) {
      if (error instanceof WorkflowFailedError) return { status: 'failed', ...reasonOf(error.cause ?? error) };
      await sleep(1_000);
    }
  }
}

function reasonOf(error: unknown): { type: string; message: string } {
  if (error instanceof ApplicationFailure) return { type: error.type ?? 'ApplicationFailure', message: error.message };
  if (error instanceof Error) return { type: error.name, message: error.message.split('\n')[0]! };
  return { type: 'unknown', message: String(error) };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
