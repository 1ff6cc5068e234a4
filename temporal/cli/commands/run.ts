// The `run` verb (the default): starts a workflow, shows its steps as they complete (and how to decide a review), then the outcome.
import { nanoid } from 'nanoid';
import { startWorkflow } from '../../run-kinds.ts';
import { askQuery } from '../../runs/describe-run.ts';
import { SAGA_STEPS } from '../../saga-steps.ts';
import { WORKFLOW_KINDS, type WorkflowResult } from '../../workflows/kinds.ts';
import { type ReviewStatus, reviewQuery } from '../../workflows/review.ts';
import { progressQuery, type StepName } from '../../workflows/steps.ts';
import { type CliCommand, EXIT, type ExitCode } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { outcomeOf, pollQuery, sayFailure, sayLostContact, startRun } from '../follow.ts';
import { compensationLines, ENDED, failureOutcome, resultLines, reviewWaitLines, stepLine } from '../render.ts';

export async function runCommand(ctx: CommandContext, { mode, input }: Extract<CliCommand, { verb: 'run' }>): Promise<ExitCode> {
  const { client, say } = ctx;
  const kind = WORKFLOW_KINDS[mode];
  const workflowId = `${kind.idPrefix}-${nanoid()}`;
  const started = await startRun(
    ctx,
    'workflow',
    () => startWorkflow(client, mode, { taskQueue: ctx.config.temporal.taskQueue, workflowId }, input),
    `Started ${kind.workflow.name} with data ${JSON.stringify(input.data)}`,
  );
  if (typeof started === 'number') return started;
  const { handle, link, stopWatching } = started;

  const shown = new Set<StepName>();
  const steps = pollQuery(handle, progressQuery, 250, (progress) => {
    for (const { step, status, durationMs } of progress.steps) {
      if (status !== 'completed' || shown.has(step)) continue;
      shown.add(step);
      say(stepLine(step, durationMs));
    }
  });
  // A publish run waiting for a reviewer says so once per change, after the steps before the review.
  let told: ReviewStatus['state'] | undefined;
  const review =
    mode === 'publish'
      ? pollQuery(handle, reviewQuery, 500, (status) => {
          if (status.state === told || (status.state !== 'pending' && status.state !== 'escalated') || !shown.has(SAGA_STEPS.submit)) return;
          told = status.state;
          for (const line of reviewWaitLines(workflowId, status)) say(line);
        })
      : undefined;
  const outcome = await outcomeOf<WorkflowResult>(handle);
  await steps.stop();
  await review?.stop();
  stopWatching();

  if ('result' in outcome) {
    const { result } = outcome;
    for (const t of result.timings) if (!shown.has(t.step)) say(stepLine(t.step, t.durationMs, t.status));
    say();
    if (ctx.json) ctx.out(result);
    else for (const line of resultLines(result)) say(line);
    return EXIT.completed;
  }
  if ('failure' in outcome) {
    const failed = failureOutcome(workflowId, handle.firstExecutionRunId, outcome.failure.cause);
    // A cancellation's cause chain names no activity: the run's own progress says where it stopped.
    const progress = await askQuery(handle, progressQuery);
    failed.failedStep ??= progress?.steps.find((s) => s.status === 'failed' || s.status === 'cancelled')?.step ?? null;
    if (failed.failedStep) say(stepLine(failed.failedStep, null, failed.status === 'cancelled' ? 'cancelled' : 'failed'));
    const ended = `Workflow ${ENDED[failed.status]}${failed.failedStep ? ` at step "${failed.failedStep}"` : ''}:`;
    sayFailure(ctx, ended, failed.failures, compensationLines(progress?.compensations ?? []), link);
    if (ctx.json) ctx.out(failed);
    return EXIT.failed;
  }
  return sayLostContact('workflow', outcome.lostContact, link);
}
