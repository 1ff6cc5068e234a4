// One run as a client sees it (a RunDescription): the workflow API's GET /workflows/{key} and the CLI's `status --json` both answer with it.
import { type Client, type WorkflowExecutionStatusName, WorkflowFailedError, type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { kindOfType } from '../run-kinds.ts';
import { batchProgressQuery, batchWorkflow } from '../workflows/batch.ts';
import { publishWorkflow } from '../workflows/publish.ts';
import { reviewQuery } from '../workflows/review.ts';
import { CURRENT_STEP } from '../workflows/search-attributes.ts';
import { progressQuery } from '../workflows/steps.ts';
import type { RunDescription, RunSnapshot } from './contract.ts';
import { runFailure } from './run-failure.ts';

/** A query is answered by a worker; with none it would wait, so an ask gives up after this. */
const QUERY_DEADLINE_MS = 2_000;
/** A call to Temporal from a client that must not hang on a Temporal that stopped answering: it fails after this. */
export const RPC_DEADLINE_MS = 5_000;

export function within<T>(client: Client, call: () => Promise<T>, deadlineMs = RPC_DEADLINE_MS): Promise<T> {
  return client.connection.withDeadline(Date.now() + deadlineMs, call);
}

const CLOSED: ReadonlySet<WorkflowExecutionStatusName> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW']);

export function isClosed(status: WorkflowExecutionStatusName): boolean {
  return CLOSED.has(status);
}

/** Whether runs of `type` take a review decision (the `decide` update) and answer the `review` query. */
export function takesReview(type: string): boolean {
  return type === publishWorkflow.name;
}

/** Temporal's description of the newest run under `workflowId`; undefined when there is none (within the namespace's retention). */
export function describeExecution(client: Client, workflowId: string) {
  return within(client, () => client.workflow.getHandle(workflowId).describe()).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  });
}

export async function describeRun(client: Client, workflowId: string): Promise<RunDescription | undefined> {
  const info = await describeExecution(client, workflowId);
  if (!info) return undefined;
  const snapshot = await runSnapshot(client, workflowId, info.type);
  const description: RunDescription = {
    workflowId,
    runId: info.runId,
    kind: kindOfType(info.type),
    type: info.type,
    status: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString() ?? null,
    summary: (await info.staticSummary()) ?? null,
    ...snapshot,
    result: null,
    failure: null,
  };
  if (!isClosed(info.status.name)) return description;
  try {
    // Pinned to the run described: a closed run's result is its close event, read at once.
    description.result = await within(client, () => client.workflow.getHandle(workflowId, info.runId).result());
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    // A worker may not replay a closed run within the query's deadline: its CurrentStep search attribute still tells where it stopped.
    description.failure = runFailure(error.cause, snapshot.progress, info.typedSearchAttributes.get(CURRENT_STEP));
  }
  return description;
}

/** The run's answer to `query`; null when none came in time (no worker yet, the run just closed) or `signal` called the question off. */
export function askQuery<T>(handle: WorkflowHandle, query: QueryDefinition<T>, signal?: AbortSignal): Promise<T | null> {
  const { connection } = handle.client;
  const asked = () => connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(query));
  return (signal ? connection.withAbortSignal(signal, asked) : asked()).catch(() => null);
}

/** What the run's own queries say now; each null when no worker answered in time (or `signal` called the questions off). */
export async function runSnapshot(client: Client, workflowId: string, type: string, signal?: AbortSignal): Promise<RunSnapshot> {
  const handle = client.workflow.getHandle(workflowId);
  const ask = <T>(query: QueryDefinition<T>) => askQuery(handle, query, signal);
  const [progress, review] = await Promise.all([
    type === batchWorkflow.name ? ask(batchProgressQuery) : ask(progressQuery),
    takesReview(type) ? ask(reviewQuery) : null,
  ]);
  return { progress, review };
}
