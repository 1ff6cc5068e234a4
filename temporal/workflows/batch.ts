// A batch: many inputs, one child workflow per input, at most `maxConcurrent` running at a time. Each
// child is one of the table's workflows (kinds.ts), started by function under an id derived from the
// batch's id and the item's index, and how it ends is part of the result (succeeded, rejected, failed),
// never a failure of the batch. A large batch continues as new every `continueAsNewAfter` children (or
// when Temporal suggests it), so no run's history grows with the batch.
//
// Decisions, each for a reason:
// - Children are drained before the batch continues as new or completes: a run never closes with a child
//   still running, so the parent-close policy never cuts a child off on the normal path.
// - Parent-close policy REQUEST_CANCEL, not the default TERMINATE: it only applies when the batch closes
//   with children still running, i.e. when it is terminated, times out or fails. Terminating a publish saga
//   would skip its compensations and leave records reserved; a cancel request lets every child undo what
//   it did and end cancelled. (ABANDON would leave children running that nothing reports on.)
// - Cancelling the batch cancels its running children (the SDK's WAIT_CANCELLATION_COMPLETED): the sagas
//   compensate, the batch waits until every child has ended, starts no more, and then ends cancelled.
// - Child ids are `<batch id>-<kind's id prefix>-<index>`: the same on every replay, retry and run of the
//   batch. With workflowIdReusePolicy REJECT_DUPLICATE a child is never started twice, even by a retried
//   or reset batch: an id already used is reported as that item's failure (ChildAlreadyStarted).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  startChild,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { FailureType } from '../failure-types.ts';
import { BATCH_LIMITS, parseBatchInput } from './input.ts';
import { WORKFLOW_KINDS } from './kinds.ts';
import { batchProgressQuery } from './messages.ts';
import type { BatchInput, BatchItem, BatchItemProblem, BatchProgress, BatchResult, WorkflowResult } from './types.ts';

/**
 * What one run hands the next when it continues as new; never sent by a client. The items still to run
 * travel in the input (`items` holds only those), so the carried state stays small: which of the earlier
 * items succeeded (indexes only: their child ids follow from them) and the problems of the others.
 */
export interface BatchCarryOver {
  /** Items in the whole batch. */
  total: number;
  /** Index in the whole batch of this run's `items[0]`. */
  offset: number;
  /** This run's number, 1 for the first. */
  run: number;
  succeeded: number[];
  rejected: BatchItemProblem[];
  failed: BatchItemProblem[];
}

/**
 * The id of the child for item `index` of batch `batchId`: the same however often it is computed. It is
 * part of the batch's history (the child's start command), so changing the scheme, or a kind's idPrefix,
 * breaks the replay of batches in flight: guard such a change with patched().
 */
export function batchChildId(batchId: string, kind: BatchInput['kind'], index: number): string {
  return `${batchId}-${WORKFLOW_KINDS[kind].idPrefix}-${index}`;
}

export async function batchWorkflow(raw: BatchInput, carried?: BatchCarryOver): Promise<BatchResult> {
  let status: BatchProgress['status'] = 'running';
  let checked: { input: BatchInput; state: BatchCarryOver } | undefined;
  let running = 0;
  setHandler(batchProgressQuery, () => {
    const { input, state } = checked ?? {};
    return {
      workflow: 'batchWorkflow',
      status,
      kind: input?.kind ?? null,
      total: state?.total ?? 0,
      started: (state ? state.succeeded.length + state.rejected.length + state.failed.length : 0) + running,
      succeeded: state?.succeeded.length ?? 0,
      rejected: state?.rejected.length ?? 0,
      failed: state?.failed.length ?? 0,
      running,
      maxConcurrent: input?.maxConcurrent ?? BATCH_LIMITS.maxConcurrent.default,
      runs: state?.run ?? 1,
    };
  });
  try {
    const input = parseBatchInput(raw);
    checked = { input, state: carriedState(carried, input) };
  } catch (error) {
    status = 'failed';
    throw error;
  }

  const { input, state } = checked;
  const { kind, items } = input;
  const maxConcurrent = input.maxConcurrent ?? BATCH_LIMITS.maxConcurrent.default;
  const perRun = input.continueAsNewAfter ?? BATCH_LIMITS.continueAsNewAfter.default;
  const batchId = workflowInfo().workflowId;
  // By function, typed by the widest item: every kind's workflow takes the fields input.ts allowed for it.
  const childWorkflow = WORKFLOW_KINDS[kind].workflow as (input: BatchItem) => Promise<WorkflowResult>;

  const runChild = async (index: number, item: BatchItem): Promise<void> => {
    const childId = batchChildId(batchId, kind, index);
    try {
      const child = await startChild(childWorkflow, {
        workflowId: childId,
        args: [item],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      const result = await child.result();
      if (result.workflow === 'publishWorkflow' && result.outcome === 'rejected') {
        // The saga completed as rejected (Server B's rules, or its review) and undid what it did.
        state.rejected.push(problem(index, childId, 'PublishRejected', result.rejection?.message ?? 'the publication was rejected'));
      } else {
        state.succeeded.push(index);
      }
    } catch (error) {
      const { list, type, reason } = classify(error, childId);
      state[list].push(problem(index, childId, type, reason));
    } finally {
      running--;
    }
  };

  let next = 0;
  try {
    while (next < items.length) {
      // The run's share is started, or Temporal finds its history big enough: hand over to a new run. At least
      // one child per run, so a suggestion that is already on at the start cannot loop without progress.
      if (next >= perRun || (next > 0 && workflowInfo().continueAsNewSuggested)) break;
      await condition(() => running < maxConcurrent);
      running++;
      // Not awaited: up to maxConcurrent children run side by side; `running` tracks them.
      void runChild(state.offset + next, items[next]!);
      next++;
    }
    // Drained: no run closes with a child still running (see the parent-close policy above).
    await condition(() => running === 0);
  } catch (error) {
    // Cancelled: the running children were asked to cancel with the batch; wait until every one has ended
    // (a saga undoes its steps first), so the batch is reported cancelled only when nothing runs any more.
    await CancellationScope.nonCancellable(() => condition(() => running === 0));
    status = isCancellation(error) ? 'cancelled' : 'failed';
    throw error;
  }

  if (next < items.length) {
    status = 'continued-as-new';
    const { succeeded, rejected, failed } = state;
    const carry: BatchCarryOver = { total: state.total, offset: state.offset + next, run: state.run + 1, succeeded, rejected, failed };
    return continueAsNew<typeof batchWorkflow>({ ...input, items: items.slice(next) }, carry);
  }
  status = 'completed';
  const byIndex = (a: { index: number }, b: { index: number }) => a.index - b.index;
  return {
    workflow: 'batchWorkflow',
    kind,
    total: state.total,
    runs: state.run,
    succeeded: [...state.succeeded].sort((a, b) => a - b).map((index) => ({ index, childId: batchChildId(batchId, kind, index) })),
    rejected: [...state.rejected].sort(byIndex),
    failed: [...state.failed].sort(byIndex),
  };
}

/** The state carried from the previous run, checked; a fresh one for the first run. */
function carriedState(carried: unknown, input: BatchInput): BatchCarryOver {
  if (carried === undefined || carried === null) {
    return { total: input.items.length, offset: 0, run: 1, succeeded: [], rejected: [], failed: [] };
  }
  const c = carried as Partial<BatchCarryOver>;
  const whole = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  const ok =
    whole(c.total) &&
    whole(c.offset) &&
    whole(c.run) &&
    c.offset + input.items.length === c.total &&
    Array.isArray(c.succeeded) &&
    Array.isArray(c.rejected) &&
    Array.isArray(c.failed) &&
    c.succeeded.length + c.rejected.length + c.failed.length === c.offset;
  if (!ok) {
    const message = 'the second argument is the state a batch carries over when it continues as new; clients start a batch with its input only';
    throw ApplicationFailure.create({
      type: FailureType.invalidInput,
      message: `Invalid input for batchWorkflow: ${message}`,
      nonRetryable: true,
      details: [[{ field: '(carry-over)', message }]],
    });
  }
  return { total: c.total!, offset: c.offset!, run: c.run!, succeeded: [...c.succeeded!], rejected: [...c.rejected!], failed: [...c.failed!] };
}

function problem(index: number, childId: string, type: string, reason: string): BatchItemProblem {
  const max = BATCH_LIMITS.maxReasonChars;
  return { index, childId, type, reason: reason.length > max ? `${reason.slice(0, max - 1)}…` : reason };
}

/** Rejected: a business outcome no retry changes (the data or the input refused). Failed: anything else. */
function classify(error: unknown, childId: string): { list: 'rejected' | 'failed'; type: string; reason: string } {
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    const reason = `a workflow with id ${childId} already exists (an earlier attempt or reset of this batch ran it); it is not started twice`;
    return { list: 'failed', type: 'ChildAlreadyStarted', reason };
  }
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && (cause.type === FailureType.invalidInput || cause.type === FailureType.validationFailed)) {
    return { list: 'rejected', type: cause.type, reason: cause.message };
  }
  if (cause instanceof CancelledFailure) return { list: 'failed', type: 'Cancelled', reason: 'the child was cancelled' };
  if (cause instanceof TerminatedFailure) return { list: 'failed', type: 'Terminated', reason: 'the child was terminated' };
  if (cause instanceof TimeoutFailure) return { list: 'failed', type: 'TimedOut', reason: `the child timed out (${cause.timeoutType})` };
  return { list: 'failed', ...describeFailure(cause) };
}

/** The first application failure's type, and the chain's messages: "activity enrichData: boom". */
function describeFailure(error: unknown): { type: string; reason: string } {
  let type: string | undefined;
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) {
      type ??= e.type ?? 'Error';
      parts.push(e.message);
    } else if (e instanceof ActivityFailure) {
      parts.push(`activity ${e.activityType}`);
    } else {
      parts.push(e.message);
    }
  }
  return { type: type ?? (error instanceof Error ? error.name : 'Error'), reason: parts.join(': ') || String(error) };
}
