// The verbs about one run: `status`, `approve`/`reject` (the review's Update, or its Signal) and `cancel`.
import { status as grpcStatus } from '@grpc/grpc-js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { RunDescription } from '../../runs/contract.ts';
import { askQuery, describeRun } from '../../runs/describe-run.ts';
import { workerIsPolling } from '../../task-queue.ts';
import { decideSignal, decideUpdate, decisionProblems, type ReviewDecision } from '../../workflows/review.ts';
import { type Progress, progressQuery } from '../../workflows/steps.ts';
import { type CliCommand, EXIT, type ExitCode } from '../args.ts';
import { type CommandContext, refuse } from '../context.ts';
import { outcomeOf } from '../follow.ts';
import { compensationLines, reviewLines, stepLine } from '../render.ts';

/** An update is answered by a worker; without one it would wait, so the client gives up after this. */
const UPDATE_DEADLINE_MS = 30_000;

/** `--json` prints the RunDescription the workflow API's GET /workflows/{key} answers with (temporal/runs/). */
export async function statusCommand(ctx: CommandContext, workflowId: string): Promise<ExitCode> {
  let run: RunDescription | undefined;
  try {
    run = await describeRun(ctx.client, workflowId);
  } catch (error) {
    return await refused(ctx, workflowId, error);
  }
  if (!run) return refuse(ctx, EXIT.failed, notFound(ctx, workflowId));
  if (ctx.json) ctx.out(run);
  else if (run.type === 'batchWorkflow') batchStatus(ctx, run);
  else {
    ctx.say(`${run.type} ${workflowId}: ${run.status}`);
    ctx.say(`  Started ${run.startTime}${run.closeTime ? `, closed ${run.closeTime}` : ''}`);
    if (run.progress && 'steps' in run.progress) sayProgress(ctx, run.progress);
    else ctx.say('  (no worker answered the progress query: start one with "npm run worker" to see the steps)');
    if (run.review) for (const line of reviewLines(workflowId, run.review)) ctx.say(line);
  }
  return EXIT.completed;
}

type Decide = Extract<CliCommand, { verb: 'approve' | 'reject' }>;

export async function decideCommand(ctx: CommandContext, { verb, workflowId, reviewer, comment, signal }: Decide): Promise<ExitCode> {
  const decision: ReviewDecision = { decision: verb, reviewer, ...(comment !== undefined && { comment }) };
  const problems = decisionProblems(decision);
  if (problems.length > 0) return refuse(ctx, EXIT.usage, problems.join('\n'));
  const handle = ctx.client.workflow.getHandle(workflowId);
  const what = verb === 'approve' ? 'Approval' : 'Rejection';
  try {
    if (signal) {
      await handle.signal(decideSignal, decision);
      ctx.say(`${what} sent as a signal to ${workflowId}. A signal gets no answer: "status ${workflowId}" shows whether it applied.`);
      if (ctx.json) ctx.out({ workflowId, sent: decision });
      return EXIT.completed;
    }
    const review = await ctx.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(decideUpdate, { args: [decision] }));
    ctx.say(`${what} recorded by ${workflowId}: review ${review.state} by ${review.decision?.reviewer}.`);
    ctx.say(
      review.state === 'approved'
        ? '  The run goes on: it confirms the publication and commits the record.'
        : '  The run undoes what it did (withdraws the publication, releases the record) and ends rejected.',
    );
    if (ctx.json) ctx.out(review);
    return EXIT.completed;
  } catch (error) {
    return await refused(ctx, workflowId, error);
  }
}

export async function cancelCommand(ctx: CommandContext, workflowId: string): Promise<ExitCode> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  try {
    await handle.cancel();
  } catch (error) {
    return await refused(ctx, workflowId, error);
  }
  // A cancellation takes effect in a workflow task: with no worker, waiting would never end.
  const { taskQueue } = await handle.describe();
  if ((await workerIsPolling(ctx.client, taskQueue)) === false) {
    ctx.say(`Cancellation requested for ${workflowId}. No worker polls task queue "${taskQueue}": the run stops (undoing what it did) once one does.`);
    if (ctx.json) ctx.out({ workflowId, ended: null, requested: true });
    return EXIT.completed;
  }
  ctx.say(`Cancellation requested for ${workflowId}; waiting for it to stop (a saga first undoes what it did)…`);
  const outcome = await outcomeOf(handle);
  if ('lostContact' in outcome) {
    process.stderr.write(`Lost contact with Temporal while waiting: ${outcome.lostContact.message.split('\n')[0]}. The cancellation stands.\n`);
    return EXIT.lostContact;
  }
  const ended = 'result' in outcome ? 'completed' : outcome.failure.cause instanceof CancelledFailure ? 'cancelled' : 'failed';
  const progress = await askQuery(handle, progressQuery);
  if (progress) sayProgress(ctx, { ...progress, steps: progress.steps.filter((s) => s.status !== 'pending') });
  ctx.say(ended === 'cancelled' ? 'The run ended cancelled.' : `The run ended ${ended} before the cancellation reached it.`);
  if (ctx.json) ctx.out({ workflowId, ended, compensations: progress?.compensations ?? [] });
  return ended === 'cancelled' ? EXIT.completed : EXIT.failed;
}

function sayProgress(ctx: CommandContext, progress: Progress): void {
  for (const step of progress.steps) ctx.say(stepLine(step.step, step.durationMs, step.status));
  for (const line of compensationLines(progress.compensations)) ctx.say(line);
}

/** A batch reports counts, not steps (its children have the steps). */
function batchStatus(ctx: CommandContext, run: RunDescription): void {
  ctx.say(`batchWorkflow ${run.workflowId}: ${run.status}`);
  if (!run.progress || 'steps' in run.progress) return ctx.say('  (no worker answered the batchProgress query: start one with "npm run worker")');
  const { started, total, running, maxConcurrent, runs, succeeded, rejected, failed } = run.progress;
  ctx.say(`  ${started} of ${total} children started, ${running} running (at most ${maxConcurrent} at once), run ${runs}`);
  ctx.say(`  ${succeeded} succeeded, ${rejected} rejected, ${failed} failed`);
}

/** Says why a request about a run could not be done, and ends with EXIT.failed. */
async function refused(ctx: CommandContext, workflowId: string, error: unknown): Promise<ExitCode> {
  const message = (error as Error).message.split('\n')[0];
  if (error instanceof WorkflowNotFoundError) {
    // The server says "not found" for a run that exists but has closed, too: tell the two apart.
    const handle = ctx.client.workflow.getHandle(workflowId);
    const closed = (await handle.describe().catch(() => undefined))?.status.name;
    if (!closed) return refuse(ctx, EXIT.failed, notFound(ctx, workflowId));
    return refuse(ctx, EXIT.failed, `The run ${workflowId} has already ended (${closed}): there is nothing to decide or cancel any more.`);
  }
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    return refuse(ctx, EXIT.failed, `Refused by ${workflowId}: ${error.cause.message}`);
  }
  if ((error as { code?: number }).code === grpcStatus.DEADLINE_EXCEEDED || /deadline/i.test(String(message))) {
    const { taskQueue } = ctx.config.temporal;
    return refuse(ctx, EXIT.failed, `No worker answered within ${UPDATE_DEADLINE_MS / 1000} s: is one running for task queue "${taskQueue}"? (npm run worker)`);
  }
  return refuse(ctx, EXIT.failed, `Could not reach ${workflowId}: ${message}`);
}

function notFound(ctx: CommandContext, workflowId: string): string {
  return `No run with workflow id ${workflowId} in namespace ${ctx.config.temporal.namespace}.`;
}
