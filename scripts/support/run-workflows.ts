// Runs N workflows of one kind, at most C at a time, and records each: when it started, how long it took
// from start request to result, and how it ended. Used by the load test and the overhead benchmark.
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { nanoid } from 'nanoid';
import { causeChain } from '../../temporal/failure-chain.ts';
import { WORKFLOW_KINDS, type WorkflowKind } from '../../temporal/workflows/kinds.ts';

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
  const kind = WORKFLOW_KINDS[options.kind];
  const samples: RunSample[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.count) {
        const i = next++;
        const t0 = performance.now();
        let outcome = 'completed';
        try {
          // Every kind takes { data } and more optional fields; the table's union is narrowed to one signature here.
          await client.workflow.execute(kind.workflow as typeof WORKFLOW_KINDS.multi.workflow, {
            taskQueue: options.taskQueue,
            workflowId: `${options.idPrefix}-${kind.idPrefix}-${nanoid()}`,
            // Short and plain, so the publish saga never asks for a review.
            args: [{ data: `load run number ${i}` }],
          });
        } catch (error) {
          outcome = failureCause(error);
        }
        samples.push({ startedAtMs: t0 - started, latencyMs: performance.now() - t0, outcome });
        options.onEnded?.(samples.length);
      }
    }),
  );
  return { samples, wallMs: performance.now() - started };
}

/** The outermost failure in the chain that names a cause (the workflow's own failure type, a timeout, …); or the start error. */
export function failureCause(error: unknown): string {
  if (!(error instanceof WorkflowFailedError)) return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
  for (const cause of causeChain(error.cause)) {
    if (cause instanceof ApplicationFailure && cause.type) return cause.type;
    if (cause instanceof TimeoutFailure) return 'timeout';
    if (cause instanceof CancelledFailure) return 'cancelled';
    if (cause instanceof TerminatedFailure) return 'terminated';
  }
  return 'failed';
}
