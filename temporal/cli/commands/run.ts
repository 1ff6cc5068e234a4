// The `run` verb (the default): starts a workflow, shows its steps as they complete (and, for a publish
// run waiting for review, how to decide it), and prints the outcome.
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { SAGA_STEPS } from '../../saga-steps.ts';
import { workerIsPolling } from '../../task-queue.ts';
import { WORKFLOW_KINDS } from '../../workflows/kinds.ts';
import type { MultiServerInput, PublishInput, WorkflowResult } from '../../workflows/types.ts';
import type { RunOptions } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { startFailed } from '../start-error.ts';
import { compensationLines, ENDED, failureLines, failureOutcome, resultLines, stepLine } from '../render.ts';
import { finalProgress, stoppedStep, watchProgress } from '../watch-progress.ts';
import { watchReview } from '../watch-review.ts';
import { webUiLinkFor } from '../web-ui.ts';

export async function runCommand(ctx: CommandContext, options: RunOptions): Promise<ExitCode> {
  const { client, connection, config, say } = ctx;
  const { address, namespace, taskQueue } = config.temporal;
  const kind = WORKFLOW_KINDS[options.mode];
  const input: MultiServerInput & PublishInput = { data: options.data };
  if (options.thirdParty) input.thirdParty = {};
  if (options.outageLimit) input.outageLimit = options.outageLimit;
  if (options.review) input.review = true;
  if (options.reviewDeadline) input.reviewDeadline = options.reviewDeadline;
  const workflowId = `${kind.idPrefix}-${nanoid()}`;
  let handle;
  try {
    handle = await client.workflow.start(kind.workflow as typeof WORKFLOW_KINDS.multi.workflow, { taskQueue, workflowId, args: [input] });
  } catch (error) {
    return startFailed(ctx, error, 'the workflow');
  }
  const runId = handle.firstExecutionRunId;
  let link = `workflow ${workflowId}, run ${runId}`;

  // Ctrl-C stops watching, not the workflow: it is durable and keeps going in Temporal.
  process.once('SIGINT', () => {
    say(`\nStopped watching. The workflow keeps running in Temporal: ${link}`);
    process.exit(EXIT.interrupted);
  });

  say(`Started ${kind.workflow.name} with data ${JSON.stringify(options.data)}`);
  say(`  Workflow ID  ${workflowId}`);
  say(`  Run ID       ${runId}`);
  link = await webUiLinkFor(address, config.temporal.uiUrl, namespace, workflowId, runId);
  say(`  Web UI       ${link}`);
  if ((await workerIsPolling(client, taskQueue)) === false) {
    say(`  No worker is polling task queue "${taskQueue}" yet: start one with "npm run worker".`);
    say('  The workflow is saved in Temporal and runs as soon as a worker is up.');
  }
  say();

  const watcher = watchProgress(connection, handle, (step, ms) => say(stepLine(step, ms)));
  const reviewWatcher = options.mode === 'publish' ? watchReview(connection, handle, say, () => watcher.shown.has(SAGA_STEPS.submit)) : undefined;
  let outcome: { result: WorkflowResult } | { failure: WorkflowFailedError } | { lostContact: Error };
  try {
    outcome = { result: await handle.result() };
  } catch (error) {
    outcome = error instanceof WorkflowFailedError ? { failure: error } : { lostContact: error as Error };
  }
  await watcher.stop();
  await reviewWatcher?.stop();

  if ('result' in outcome) {
    const { result } = outcome;
    for (const t of result.timings) if (!watcher.shown.has(t.step)) say(stepLine(t.step, t.status === 'completed' ? t.durationMs : null, t.status));
    say();
    if (ctx.json) ctx.out(result);
    else for (const line of resultLines(result)) say(line);
    return EXIT.completed;
  } else if ('failure' in outcome) {
    const { cause } = outcome.failure;
    const failed = failureOutcome(workflowId, runId, cause);
    // A cancellation's cause chain names no activity: the run's own progress says where it stopped.
    const progress = await finalProgress(connection, handle);
    failed.failedStep ??= stoppedStep(progress);
    if (failed.failedStep) say(stepLine(failed.failedStep, null, failed.status === 'cancelled' ? 'cancelled' : 'failed'));
    say();
    say(`Workflow ${ENDED[failed.status]}${failed.failedStep ? ` at step "${failed.failedStep}"` : ''}:`);
    for (const line of failureLines(cause).lines) say(`  ${line}`);
    for (const line of compensationLines(progress?.compensations ?? [])) say(line);
    say(`Full history: ${link}`);
    if (ctx.json) ctx.out(failed);
    return EXIT.failed;
  } else {
    // Lost contact while waiting; the workflow itself is unaffected.
    process.stderr.write(`Lost contact with Temporal while waiting for the result: ${outcome.lostContact.message}\n`);
    process.stderr.write(`The workflow keeps running in Temporal: ${link}\n`);
    return EXIT.lostContact;
  }
}
