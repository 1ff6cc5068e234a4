// What a client is told about runs, defined once: the workflow API (api/) answers with these shapes, and
// the CLI's `status --json` prints the same RunDescription from the same function (describe-run.ts).
// api/openapi.json describes them for other languages; test/api-openapi.test.ts holds the two together.
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { RunRow } from '../cli/commands/list.ts';
import type { BatchProgress, BatchResult, Progress, ReviewStatus, StepName, WorkflowResult } from '../workflows/types.ts';
import type { RunKind } from './kinds.ts';

/**
 * Why a run ended without a result, as its caller needs to know it:
 * - business: the data, the input or a reviewer said no. Retrying the same input gives the same answer;
 *   nobody needs to be paged (ValidationFailed, InvalidWorkflowInput, ReviewRejected).
 * - technical: the system failed the run (a service down past the outage limit, an undo that failed, a
 *   timeout, a terminated run, an answer of the wrong shape): someone should look.
 * - cancelled: someone asked the run to stop, and it did (a saga undid what it had done first).
 */
export type FailureCategory = 'business' | 'technical' | 'cancelled';

export interface RunFailure {
  category: FailureCategory;
  /** The failure's type: a FailureType of temporal/failure-types.ts, or Cancelled, Terminated, TimedOut. */
  type: string;
  message: string;
  /** The step the run stopped at; null when it stopped before any (a bad input) or nothing says. */
  step: StepName | null;
  /** The failure's details: ValidationFailed lists the issues, InvalidWorkflowInput the fields at fault. */
  details: unknown[];
}

/** A run's state: GET /workflows/{key}, the SSE stream's last event, and `client.ts status --json`. */
export interface RunDescription {
  workflowId: string;
  runId: string;
  /** The kind it was started as (POST /workflows/{kind}/{key}); null for a workflow type no kind starts. */
  kind: RunKind | null;
  /** The workflow type, e.g. publishWorkflow. */
  type: string;
  /** Temporal's status of the run: RUNNING until it closes. */
  status: WorkflowExecutionStatusName;
  startTime: string;
  closeTime: string | null;
  /** The run's `progress` query (a batch: `batchProgress`); null when no worker answered it in time. */
  progress: Progress | BatchProgress | null;
  /** A publish run's review (the `review` query); null for the other kinds, or when no worker answered. */
  review: ReviewStatus | null;
  /** What a completed run returned (a publish run that was rejected says so in `outcome`); null otherwise. */
  result: WorkflowResult | BatchResult | null;
  /** How a run that closed without a result failed; null while it runs and when it completed. */
  failure: RunFailure | null;
}

/** The live part of a run, sent by the SSE stream whenever it changes (event `progress`). */
export interface RunSnapshot {
  progress: RunDescription['progress'];
  review: RunDescription['review'];
}

/** POST /workflows/{kind}/{key}: 201 when it started the run, 200 (created false) when it was running already. */
export interface StartedRun {
  workflowId: string;
  runId: string;
  kind: RunKind;
  type: string;
  created: boolean;
}

/** The body of POST /workflows/{key}/approve and /reject. */
export interface DecisionRequest {
  reviewer: string;
  comment?: string;
}

/** What an accepted decision answers: the review as it now stands. */
export interface DecisionAnswer {
  workflowId: string;
  review: ReviewStatus;
}

/** POST /workflows/{key}/cancel: 202, the run stops once its worker has handled the request. */
export interface CancelAnswer {
  workflowId: string;
  runId: string;
  cancelRequested: true;
}

/** GET /workflows: the visibility query it ran (it works in the Web UI's search box too), and the runs. */
export interface RunList {
  query: string;
  items: RunRow[];
}

/** The events of GET /workflows/{key}/events, by name: `progress` while it runs, `outcome` once at the end, `error` if Temporal is lost. */
export const RUN_EVENTS = { progress: 'progress', outcome: 'outcome', error: 'error' } as const;
