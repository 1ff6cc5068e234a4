// A batch: one child workflow per input, at most `maxConcurrent` at a time, continuing as new every
// `continueAsNewAfter` children; each child's outcome is part of the result, never a failure of the batch.
// Its decisions (draining, REQUEST_CANCEL, child ids) and their reasons: docs/batches-schedules-adaptive.md.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineQuery,
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
import { z } from 'zod';
import { wholeNumber } from '../../shared/contract.ts';
import { causeChain } from '../failure-chain.ts';
import { FailureType } from '../failure-types.ts';
import { type InputIssue, inputIssues, invalidInput } from './input.ts';
import { KIND_NAMES, staticSummary, WORKFLOW_KINDS, type WorkflowKind, type WorkflowResult } from './kinds.ts';

/** The input and every continue-as-new's carried state live in the history: these bounds keep them, and the
 *  result (about 300 characters per item at worst), well under Temporal's 2 MB payload limit. */
export const BATCH_LIMITS = {
  maxItems: 2_000,
  maxInputChars: 512 * 1024,
  /** Enough to keep both services busy, few enough not to swamp them or the worker. */
  maxConcurrent: { default: 5, min: 1, max: 50 },
  /** About 6 to 9 events per child: 200 keep a run near 2,000 events, below the 4,096 at which Temporal suggests continuing as new. */
  continueAsNewAfter: { default: 200, min: 1, max: 1_000 },
  maxReasonChars: 200,
  /** A bad batch lists this many problems, then how many more there are. */
  maxIssuesListed: 50,
} as const;

const ITEMS = {
  error: ({ input }: { input?: unknown }) =>
    `must be an array of 1 to ${BATCH_LIMITS.maxItems} inputs, got ${Array.isArray(input) ? `${input.length} items` : input === undefined ? 'nothing' : typeof input}`,
};
/** What a client sends to start a batch; each item is checked as its kind's workflow checks its own input. */
export const BatchInput = z.strictObject({
  kind: z.enum(KIND_NAMES).meta({ description: 'The workflow each item runs as.' }),
  items: z
    .array(z.unknown(), ITEMS)
    .min(1, ITEMS)
    .max(BATCH_LIMITS.maxItems, ITEMS)
    .meta({ description: "One child workflow per item, each the input of that kind's workflow." }),
  maxConcurrent: wholeNumber(BATCH_LIMITS.maxConcurrent.min, BATCH_LIMITS.maxConcurrent.max).optional().meta({ description: 'Children at once (default 5).' }),
  continueAsNewAfter: wholeNumber(BATCH_LIMITS.continueAsNewAfter.min, BATCH_LIMITS.continueAsNewAfter.max)
    .optional()
    .meta({ description: 'Children one run starts before it continues as new (default 200).' }),
});
export type BatchInput = z.infer<typeof BatchInput>;
/** One item of a batch: the fields of any kind's input; the batch's kind decides which are allowed. */
export type BatchItem = z.infer<(typeof WORKFLOW_KINDS)['multi']['input']> & z.infer<(typeof WORKFLOW_KINDS)['publish']['input']>;

/** Every problem with `raw` as a batch's input, each item checked as its kind's workflow checks it; empty when valid. */
export function batchInputIssues(raw: unknown): InputIssue[] {
  const example = '{"kind": "multi", "items": [{"data": "hello"}]}';
  const issues = inputIssues(BatchInput, raw, 'batchWorkflow', example);
  const { kind, items } = (raw ?? {}) as { kind?: unknown; items?: unknown };
  if (Array.isArray(items) && items.length > 0 && items.length <= BATCH_LIMITS.maxItems) {
    const chars = JSON.stringify(items).length;
    if (chars > BATCH_LIMITS.maxInputChars) {
      issues.push({
        field: 'items',
        message: `"items" must be at most ${BATCH_LIMITS.maxInputChars} characters of JSON in all, got ${chars}; split the batch`,
      });
    }
    // Without a valid kind, each item is checked as the widest input (multi's).
    const { workflow, input } = WORKFLOW_KINDS[KIND_NAMES.includes(kind as WorkflowKind) ? (kind as WorkflowKind) : 'multi'];
    items.forEach((item, index) => {
      for (const issue of inputIssues(input, item, workflow.name)) {
        issues.push({ field: issue.field === '(input)' ? `items[${index}]` : `items[${index}].${issue.field}`, message: `items[${index}]: ${issue.message}` });
      }
    });
  }
  if (issues.length <= BATCH_LIMITS.maxIssuesListed) return issues;
  const more = issues.length - BATCH_LIMITS.maxIssuesListed;
  return [...issues.slice(0, BATCH_LIMITS.maxIssuesListed), { field: 'items', message: `and ${more} more problem${more === 1 ? '' : 's'}` }];
}

/** An item that did not succeed: its failure type (or PublishRejected) and why. `index`: its place as sent. */
const BatchItemProblem = z.object({ index: z.int(), childId: z.string(), type: z.string(), reason: z.string() });
export type BatchItemProblem = z.infer<typeof BatchItemProblem>;

const count = z.int().min(0);
/** Answer of the `batchProgress` query; counts cover the whole batch, across continue-as-new. */
export const BatchProgress = z.object({
  workflow: z.literal('batchWorkflow'),
  /** continued-as-new: this run handed over to the next one (a query by workflow id reaches the newest). */
  status: z.enum(['running', 'completed', 'failed', 'cancelled', 'continued-as-new']),
  kind: z.enum(KIND_NAMES).nullable(),
  total: count,
  started: count.meta({ description: 'Children started so far: finished ones plus the running ones.' }),
  succeeded: count,
  rejected: count,
  failed: count,
  running: count,
  maxConcurrent: count,
  runs: count.meta({ description: 'Runs so far, this one included: 1 until the batch first continues as new.' }),
});
export type BatchProgress = z.infer<typeof BatchProgress>;

export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');

/** What one run hands the next when it continues as new (the items still to run travel in the input).
 *  `offset`: the index in the whole batch of this run's `items[0]`. */
const BatchCarryOver = z.object({
  total: z.int().min(0),
  offset: z.int().min(0),
  run: z.int().min(1),
  succeeded: z.array(z.int()),
  rejected: z.array(BatchItemProblem),
  failed: z.array(BatchItemProblem),
});
export type BatchCarryOver = z.infer<typeof BatchCarryOver>;

/** Part of the batch's history (the child's start command): changing the scheme, or a kind's idPrefix, breaks
 *  the replay of batches in flight; guard such a change with patched(). */
export function batchChildId(batchId: string, kind: BatchInput['kind'], index: number): string {
  return `${batchId}-${WORKFLOW_KINDS[kind].idPrefix}-${index}`;
}

export async function batchWorkflow(raw: BatchInput, carried?: BatchCarryOver) {
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
    const issues = batchInputIssues(raw);
    if (issues.length > 0) throw invalidInput('batchWorkflow', issues);
    checked = { input: raw, state: carriedState(carried, raw) };
  } catch (error) {
    status = 'failed';
    throw error;
  }

  const { input, state } = checked;
  const { kind } = input;
  const items = input.items as BatchItem[];
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
        staticSummary: staticSummary(kind, item),
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
      // Not awaited: `running` tracks the children running side by side.
      void runChild(state.offset + next, items[next]!);
      next++;
    }
    // Drained: no run closes with a child still running.
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
  // rejected: a business outcome (the data or input refused, the saga rejected); failed: anything else.
  return {
    workflow: 'batchWorkflow' as const,
    kind,
    total: state.total,
    // Runs of the batch, the first included.
    runs: state.run,
    succeeded: [...state.succeeded].sort((a, b) => a - b).map((index) => ({ index, childId: batchChildId(batchId, kind, index) })),
    rejected: [...state.rejected].sort(byIndex),
    failed: [...state.failed].sort(byIndex),
  };
}

export type BatchResult = Awaited<ReturnType<typeof batchWorkflow>>;

/** The state carried from the previous run, checked; a fresh one for the first run. */
function carriedState(carried: unknown, input: BatchInput): BatchCarryOver {
  if (carried === undefined || carried === null) return { total: input.items.length, offset: 0, run: 1, succeeded: [], rejected: [], failed: [] };
  const c = BatchCarryOver.safeParse(carried);
  if (
    c.success &&
    c.data.offset + input.items.length === c.data.total &&
    c.data.succeeded.length + c.data.rejected.length + c.data.failed.length === c.data.offset
  ) {
    return c.data;
  }
  const message = 'the second argument is the state a batch carries over when it continues as new; clients start a batch with its input only';
  throw invalidInput('batchWorkflow', [{ field: '(carry-over)', message }]);
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
  const chain = causeChain(error);
  const type = chain.find((e): e is ApplicationFailure => e instanceof ApplicationFailure)?.type;
  const parts = chain.map((e) => (e instanceof ActivityFailure ? `activity ${e.activityType}` : e.message));
  return { type: type ?? chain[0]?.name ?? 'Error', reason: parts.join(': ') || String(error) };
}
