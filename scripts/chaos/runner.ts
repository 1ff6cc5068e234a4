// Starts the planned workflows, at most `concurrency` in flight, lets the chaos events in before the
// workflows they are planned for, and collects how each run ended. A run with no result by the deadline
// is reported as still running: lost, as far as this run can tell.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import type { MultiServerResult, PublishResult } from '../../temporal/workflows/types.ts';
import type { ChaosEvents } from './events.ts';
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
}

export interface RunOptions {
  concurrency: number;
  /** performance.now() after which nothing more is awaited. */
  deadline: number;
  progressEveryMs: number;
  say: (line: string) => void;
}

export class WorkflowRunner {
  readonly runs: Run[] = [];
  private readonly inFlight = new Set<Run>();
  private closed = 0;
  private slotFreed = () => {};
  private readonly client: Client;
  private readonly taskQueue: string;
  private readonly plan: PlannedWorkflow[];
  private readonly options: RunOptions;

  constructor(client: Client, taskQueue: string, plan: PlannedWorkflow[], options: RunOptions) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.plan = plan;
    this.options = options;
  }

  get running(): number {
    return this.inFlight.size;
  }

  /** Runs every planned workflow; resolves when all have ended, or at the deadline with some still running. */
  async run(chaos: ChaosEvents): Promise<{ deadlinePassed: boolean }> {
    const { concurrency, deadline, say } = this.options;
    const pastDeadline = () => performance.now() > deadline;
    const progress = setInterval(
      () => say(`progress: ${this.runs.length}/${this.plan.length} started, ${this.closed} ended, ${this.inFlight.size} in flight`),
      this.options.progressEveryMs,
    );
    try {
      for (const planned of this.plan) {
        while (this.inFlight.size >= concurrency && !pastDeadline()) await Promise.race([new Promise<void>((r) => (this.slotFreed = r)), sleep(1_000)]);
        if (pastDeadline()) break;
        await chaos.before(planned.index);
        this.startOne(planned);
      }
      await chaos.finish();
      while (this.inFlight.size > 0 && !pastDeadline()) await sleep(200);
    } finally {
      clearInterval(progress);
    }
    return { deadlinePassed: this.inFlight.size > 0 || this.runs.length < this.plan.length };
  }

  private startOne(planned: PlannedWorkflow): void {
    const run: Run = { planned, workflowId: `${WORKFLOW_KINDS[planned.kind].idPrefix}-chaos-${planned.index}`, outcome: { status: 'running' } };
    this.runs.push(run);
    // In flight from the moment it is sent: a start may take a while, and the slot is taken meanwhile.
    this.inFlight.add(run);
    void (async () => {
      const notStarted = await start(this.client, this.taskQueue, run);
      run.outcome = notStarted ? { status: 'not started', ...notStarted } : await outcomeOf(this.client, run.workflowId);
      this.closed++;
      this.inFlight.delete(run);
      this.slotFreed();
    })();
  }
}

/** Starts the run; undefined when it started, else why not. A start retried after a lost answer may find the run already there. */
async function start(client: Client, taskQueue: string, run: Run): Promise<{ type: string; message: string } | undefined> {
  const { kind, data } = run.planned;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.workflow.start(WORKFLOW_KINDS[kind].workflow as typeof WORKFLOW_KINDS.multi.workflow, {
        taskQueue,
        workflowId: run.workflowId,
        args: [{ data }],
      });
      return undefined;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError && attempt > 1) return undefined;
      if (attempt === 3) return reasonOf(error);
      await sleep(1_000);
    }
  }
}

/** How the run ended. Its result is awaited again after a lost answer from the server, until the process ends. */
async function outcomeOf(client: Client, workflowId: string): Promise<Outcome> {
  for (;;) {
    try {
      return { status: 'completed', result: (await client.workflow.getHandle(workflowId).result()) as MultiServerResult | PublishResult };
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
