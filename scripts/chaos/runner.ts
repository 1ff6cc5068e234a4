// Starts the planned workflows, at most `concurrency` in flight, with each planned kill just before the workflow
// it is planned for, so runs are in flight through it; a kill waits until the one before is back. A run with no
// result by the deadline is reported as still running: lost, as far as this run can tell.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startWorkflow } from '../../temporal/run-kinds.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import type { MultiServerResult } from '../../temporal/workflows/multi-server.ts';
import type { PublishResult } from '../../temporal/workflows/publish.ts';
import type { LocalStack } from '../support/local-stack.ts';
import type { ChaosEvent, ChaosTarget, PlannedWorkflow } from './plan.ts';

export type Outcome =
  | { status: 'completed'; result: MultiServerResult | PublishResult }
  | { status: 'failed'; type: string; message: string }
  | { status: 'not started'; type: string; message: string }
  | { status: 'running' };

export interface Run {
  planned: PlannedWorkflow;
  workflowId: string;
  outcome: Outcome;
}

const PROGRESS_EVERY_MS = 15_000;

export async function runUnderChaos(
  stack: LocalStack,
  plan: PlannedWorkflow[],
  events: ChaosEvent[],
  /** deadline: performance.now() after which nothing more is awaited. */
  { concurrency, deadline, say }: { concurrency: number; deadline: number; say: (line: string) => void },
) {
  const runs: Run[] = [];
  /** Each kill carried out; back after: from the kill until it was ready again (the worker: polling, after bundling). */
  const done: Array<{ target: ChaosTarget; downMs: number; backAfterMs: number }> = [];
  const inFlight = new Set<Run>();
  let ended = 0;
  let slotFreed = () => {};
  let nextKill = 0;
  let back: Promise<void> = Promise.resolve();

  /** Carries out every kill due before workflow `index` starts; the process comes back on its own, `back` says when. */
  const killsBefore = async (index: number) => {
    while (nextKill < events.length && events[nextKill]!.beforeStart <= index) {
      const { target, downMs } = events[nextKill++]!;
      const label = `chaos ${nextKill}/${events.length}:`;
      await back;
      const running = inFlight.size;
      const killedAt = performance.now();
      await stack.kill(target);
      say(`${label} SIGKILL ${target}, ${running} workflow${running === 1 ? '' : 's'} in flight; down for ${seconds(downMs)}`);
      back = (async () => {
        await sleep(downMs);
        await stack.restart(target);
        const backAfterMs = performance.now() - killedAt;
        done.push({ target, downMs, backAfterMs });
        say(`${label} ${target} ${target === 'worker' ? 'polling' : 'listening'} again (pid ${stack.pid(target)}), ${seconds(backAfterMs)} after the kill`);
      })();
      // Awaited by the next kill or at the end; marked handled so a failed restart is not an unhandled rejection meanwhile.
      back.catch(() => {});
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

  const pastDeadline = () => performance.now() > deadline;
  const progress = setInterval(() => say(`progress: ${runs.length}/${plan.length} started, ${ended} ended, ${inFlight.size} in flight`), PROGRESS_EVERY_MS);
  try {
    for (const planned of plan) {
      while (inFlight.size >= concurrency && !pastDeadline()) await Promise.race([new Promise<void>((r) => (slotFreed = r)), sleep(1_000)]);
      if (pastDeadline()) break;
      await killsBefore(planned.index);
      startOne(planned);
    }
    // Any kill not yet due (every workflow was started), then every process back.
    await killsBefore(Number.POSITIVE_INFINITY);
    await back;
    while (inFlight.size > 0 && !pastDeadline()) await sleep(200);
  } finally {
    clearInterval(progress);
  }
  return { runs, done, deadlinePassed: inFlight.size > 0 || runs.length < plan.length };
}

/** A start retried after a lost answer may find the run already there; a lost result is awaited again. */
async function outcomeOf(client: Client, taskQueue: string, run: Run): Promise<Outcome> {
  const { kind, data } = run.planned;
  for (let attempt = 1; ; attempt++) {
    try {
      await startWorkflow(client, kind, { taskQueue, workflowId: run.workflowId }, { data });
      break;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError && attempt > 1) break;
      if (attempt === 3) return { status: 'not started', ...reasonOf(error) };
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
