// Runs N workflows of one kind, at most C at a time, and records each: when it started, how long it took
// from start request to result, and how it ended. Used by the load test and the overhead benchmark.
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { nanoid } from 'nanoid';
import { causeChain } from '../../temporal/failure-chain.ts';
import { startWorkflow } from '../../temporal/run-kinds.ts';
import { WORKFLOW_KINDS, type WorkflowKind } from '../../temporal/workflows/kinds.ts';
import { inParallel } from './in-parallel.ts';

export interface RunSample {
  /** Milliseconds from the start of the whole run to this workflow's start request. */
  startedAtMs: number;
  /** Start request to result, in milliseconds. */
  latencyMs: number;
  /** 'completed', or the cause of the failure (a failure type such as ServiceUnavailable, 'timeout', …). */
  outcome: string;
}

export interface WorkflowRunOptions {
  kind: WorkflowKind;
  count: number;
  concurrency: number;
  taskQueue: string;
  /** Workflow ids are `${idPrefix}-<kind>-<random>`, so a run's workflows can be listed together. */
  idPrefix: string;
  /** Called after each workflow ends, with how many have ended. */
  onEnded?: (ended: number) => void;
}

export async function runWorkflows(client: Client, options: WorkflowRunOptions): Promise<{ samples: RunSample[]; wallMs: number }> {
  const samples: RunSample[] = [];
  const started = performance.now();
  await inParallel(options.count, options.concurrency, async (i) => {
    const t0 = performance.now();
    const workflowId = `${options.idPrefix}-${WORKFLOW_KINDS[options.kind].idPrefix}-${nanoid()}`;
    // Short and plain, so the publish saga never asks for a review.
    const start = startWorkflow(client, options.kind, { taskQueue: options.taskQueue, workflowId }, { data: `load run number ${i}` });
    const outcome = await outcomeOf(start.then((handle) => handle.result()));
    samples.push({ startedAtMs: t0 - started, latencyMs: performance.now() - t0, outcome });
    options.onEnded?.(samples.length);
  });
  return { samples, wallMs: performance.now() - started };
}

/** 'completed', or the outermost failure in the chain that names a cause (its failure type, a timeout, …), or the start error. */
export async function outcomeOf(result: Promise<unknown>): Promise<string> {
  try {
    await result;
    return 'completed';
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
    for (const cause of causeChain(error.cause)) {
      if (cause instanceof ApplicationFailure && cause.type) return cause.type;
      if (cause instanceof TimeoutFailure) return 'timeout';
      if (cause instanceof CancelledFailure) return 'cancelled';
      if (cause instanceof TerminatedFailure) return 'terminated';
    }
    return 'failed';
  }
}
