// The verbs about one run: `status` (its steps, and a publish run's review), `approve`/`reject` (the
// review's Update, or its Signal), and `cancel` (the run undoes what it did and ends cancelled).
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { batchProgressQuery, decideSignal, decideUpdate, reviewQuery } from '../../workflows/messages.ts';
import { workerIsPolling } from '../../task-queue.ts';
import { decisionProblems } from '../../workflows/review.ts';
import type { ReviewDecision, ReviewStatus } from '../../workflows/types.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { compensationLines, stepLine } from '../render.ts';
import { finalProgress } from '../watch-progress.ts';
import { reviewWaitLines } from '../watch-review.ts';

/** An update is answered by a worker; without one it would wait, so the client gives up after this. */
const UPDATE_DEADLINE_MS = 30_000;

export async function statusCommand(ctx: CommandContext, workflowId: string): Promise<ExitCode> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  const description = await described(ctx, handle);
  if (!description) return EXIT.failed;
  if (description.type === 'batchWorkflow') return batchStatus(ctx, handle, description.status.name);
  const progress = await finalProgress(ctx.connection, handle);
  const review = description.type === 'publishWorkflow' ? await queryReview(ctx, handle) : null;
  if (ctx.json) {
    ctx.out({
      workflowId,
      runId: description.runId,
      type: description.type,
      status: description.status.name,
      startTime: description.startTime,
      closeTime: description.closeTime ?? null,
      progress,
      review,
    });
    return EXIT.completed;
  }
  ctx.say(`${description.type} ${workflowId}: ${description.status.name}`);
  ctx.say(`  Started ${description.startTime.toISOString()}${description.closeTime ? `, closed ${description.closeTime.toISOString()}` : ''}`);
  if (progress) for (const step of progress.steps) ctx.say(stepLine(step.step, step.status === 'completed' ? step.durationMs : null, step.status));
  else ctx.say('  (no worker answered the progress query: start one with "npm run worker" to see the steps)');
  for (const line of compensationLines(progress?.compensations ?? [])) ctx.say(line);
  if (review) for (const line of reviewLines(workflowId, review)) ctx.say(line);
  return EXIT.completed;
}

export async function decideCommand(ctx: CommandContext, workflowId: string, decision: ReviewDecision, asSignal: boolean): Promise<ExitCode> {
  const problems = decisionProblems(decision);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return EXIT.usage;
  }
  const handle = ctx.client.workflow.getHandle(workflowId);
  const verb = decision.decision === 'approve' ? 'Approval' : 'Rejection';
  try {
    if (asSignal) {
      await handle.signal(decideSignal, decision);
      ctx.say(`${verb} sent as a signal to ${workflowId}. A signal gets no answer: "status ${workflowId}" shows whether it applied.`);
      if (ctx.json) ctx.out({ workflowId, sent: decision });
      return EXIT.completed;
    }
    const review = await ctx.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(decideUpdate, { args: [decision] }));
    ctx.say(`${verb} recorded by ${workflowId}: review ${review.state} by ${review.decision?.reviewer}.`);
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
  let ended: 'completed' | 'cancelled' | 'failed';
  try {
    ended = await handle.result().then(() => 'completed' as const);
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) {
      process.stderr.write(`Lost contact with Temporal while waiting: ${(error as Error).message.split('\n')[0]}. The cancellation stands.\n`);
      return EXIT.lostContact;
    }
    ended = error.cause instanceof CancelledFailure ? 'cancelled' : 'failed';
  }
  const progress = await finalProgress(ctx.connection, handle);
  if (progress)
    for (const step of progress.steps.filter((s) => s.status !== 'pending'))
      ctx.say(stepLine(step.step, step.status === 'completed' ? step.durationMs : null, step.status));
  for (const line of compensationLines(progress?.compensations ?? [])) ctx.say(line);
  ctx.say(ended === 'cancelled' ? 'The run ended cancelled.' : `The run ended ${ended} before the cancellation reached it.`);
  if (ctx.json) ctx.out({ workflowId, ended, compensations: progress?.compensations ?? [] });
  return ended === 'cancelled' ? EXIT.completed : EXIT.failed;
}

/** A batch reports counts, not steps (its children have the steps). */
async function batchStatus(ctx: CommandContext, handle: WorkflowHandle, status: string): Promise<ExitCode> {
  const progress = await ctx.connection.withDeadline(Date.now() + 2_000, () => handle.query(batchProgressQuery)).catch(() => null);
  if (ctx.json) {
    ctx.out({ workflowId: handle.workflowId, type: 'batchWorkflow', status, progress });
    return EXIT.completed;
  }
  ctx.say(`batchWorkflow ${handle.workflowId}: ${status}`);
  if (!progress) ctx.say('  (no worker answered the batchProgress query: start one with "npm run worker")');
  else {
    ctx.say(
      `  ${progress.started} of ${progress.total} children started, ${progress.running} running (at most ${progress.maxConcurrent} at once), run ${progress.runs}`,
    );
    ctx.say(`  ${progress.succeeded} succeeded, ${progress.rejected} rejected, ${progress.failed} failed`);
  }
  return EXIT.completed;
}

async function described(ctx: CommandContext, handle: WorkflowHandle) {
  try {
    return await handle.describe();
  } catch (error) {
    await refused(ctx, handle.workflowId, error);
    return undefined;
  }
}

async function queryReview(ctx: CommandContext, handle: WorkflowHandle): Promise<ReviewStatus | null> {
  try {
    return await ctx.connection.withDeadline(Date.now() + 2_000, () => handle.query(reviewQuery));
  } catch {
    return null;
  }
}

function reviewLines(workflowId: string, review: ReviewStatus): string[] {
  if (review.state === 'pending' || review.state === 'escalated') return ['Review', ...reviewWaitLines(workflowId, review)];
  if (review.state === 'not-needed' || review.state === 'not-yet') return [`Review: ${review.state === 'not-needed' ? 'not needed' : 'not reached yet'}`];
  const by = review.decision ? ` by ${review.decision.reviewer}${review.decision.comment ? ` ("${review.decision.comment}")` : ''}` : '';
  return [`Review: ${review.state}${by}${review.reason ? `; asked because ${review.reason}` : ''}`];
}

/** Says why a request about a run could not be done, and ends with EXIT.failed. */
async function refused(ctx: CommandContext, workflowId: string, error: unknown): Promise<ExitCode> {
  const { namespace } = ctx.config.temporal;
  let message: string;
  if (error instanceof WorkflowNotFoundError) {
    // The server says "not found" for a run that exists but has closed, too: tell the two apart.
    const closed = await ctx.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        (d) => d.status.name,
        () => undefined,
      );
    message = closed
      ? `The run ${workflowId} has already ended (${closed}): there is nothing to decide or cancel any more.`
      : `No run with workflow id ${workflowId} in namespace ${namespace}.`;
  } else if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
    message = `Refused by ${workflowId}: ${error.cause.message}`;
  else if ((error as { code?: number }).code === 4 || /deadline/i.test(String((error as Error).message))) {
    message = `No worker answered within ${UPDATE_DEADLINE_MS / 1000} s: is one running for task queue "${ctx.config.temporal.taskQueue}"? (npm run worker)`;
  } else message = `Could not reach ${workflowId}: ${(error as Error).message.split('\n')[0]}`;
  process.stderr.write(`${message}\n`);
  if (ctx.json) ctx.out({ workflowId, refused: message });
  return EXIT.failed;
}
