// The verbs about one run: `status` (its steps, and a publish run's review), `approve`/`reject` (the
// review's Update, or its Signal), and `cancel` (the run undoes what it did and ends cancelled).
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describeRun } from '../../runs/describe-run.ts';
import type { RunDescription } from '../../runs/types.ts';
import { decideSignal, decideUpdate } from '../../workflows/messages.ts';
import { workerIsPolling } from '../../task-queue.ts';
import { decisionProblems } from '../../workflows/review.ts';
import type { BatchProgress, ReviewDecision, ReviewStatus } from '../../workflows/types.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { compensationLines, stepLine } from '../render.ts';
import { finalProgress } from '../watch-progress.ts';
import { reviewWaitLines } from '../watch-review.ts';

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
  if (!run) return refusal(ctx, workflowId, notFound(ctx, workflowId));
  if (ctx.json) {
    ctx.out(run);
    return EXIT.completed;
  }
  const { progress, review } = run;
  if (progress?.workflow === 'batchWorkflow' || run.type === 'batchWorkflow')
    return batchStatus(ctx, run, progress?.workflow === 'batchWorkflow' ? progress : null);
  ctx.say(`${run.type} ${workflowId}: ${run.status}`);
  ctx.say(`  Started ${run.startTime}${run.closeTime ? `, closed ${run.closeTime}` : ''}`);
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
function batchStatus(ctx: CommandContext, run: RunDescription, progress: BatchProgress | null): ExitCode {
  ctx.say(`batchWorkflow ${run.workflowId}: ${run.status}`);
  if (!progress) ctx.say('  (no worker answered the batchProgress query: start one with "npm run worker")');
  else {
    ctx.say(
      `  ${progress.started} of ${progress.total} children started, ${progress.running} running (at most ${progress.maxConcurrent} at once), run ${progress.runs}`,
    );
    ctx.say(`  ${progress.succeeded} succeeded, ${progress.rejected} rejected, ${progress.failed} failed`);
  }
  return EXIT.completed;
}

function reviewLines(workflowId: string, review: ReviewStatus): string[] {
  if (review.state === 'pending' || review.state === 'escalated') return ['Review', ...reviewWaitLines(workflowId, review)];
  if (review.state === 'not-needed' || review.state === 'not-yet') return [`Review: ${review.state === 'not-needed' ? 'not needed' : 'not reached yet'}`];
  const by = review.decision ? ` by ${review.decision.reviewer}${review.decision.comment ? ` ("${review.decision.comment}")` : ''}` : '';
  return [`Review: ${review.state}${by}${review.reason ? `; asked because ${review.reason}` : ''}`];
}

/** Says why a request about a run could not be done, and ends with EXIT.failed. */
async function refused(ctx: CommandContext, workflowId: string, error: unknown): Promise<ExitCode> {
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
    message = closed ? `The run ${workflowId} has already ended (${closed}): there is nothing to decide or cancel any more.` : notFound(ctx, workflowId);
  } else if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
    message = `Refused by ${workflowId}: ${error.cause.message}`;
  else if ((error as { code?: number }).code === 4 || /deadline/i.test(String((error as Error).message))) {
    message = `No worker answered within ${UPDATE_DEADLINE_MS / 1000} s: is one running for task queue "${ctx.config.temporal.taskQueue}"? (npm run worker)`;
  } else message = `Could not reach ${workflowId}: ${(error as Error).message.split('\n')[0]}`;
  return refusal(ctx, workflowId, message);
}

/** Says why (stderr, and with --json as `{ refused }` on stdout), and ends with EXIT.failed. */
function refusal(ctx: CommandContext, workflowId: string, message: string): ExitCode {
  process.stderr.write(`${message}\n`);
  if (ctx.json) ctx.out({ workflowId, refused: message });
  return EXIT.failed;
}

function notFound(ctx: CommandContext, workflowId: string): string {
  return `No run with workflow id ${workflowId} in namespace ${ctx.config.temporal.namespace}.`;
}
