// What the verbs that start a run (run, batch) do once Temporal has it: say where it is, follow it, tell how it ended.
import { setTimeout as sleep } from 'node:timers/promises';
import { type WorkflowHandle, WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { askQuery } from '../runs/describe-run.ts';
import type { FailureLink } from '../runs/run-failure.ts';
import { workerIsPolling } from '../task-queue.ts';
import { EXIT, type ExitCode } from './args.ts';
import { type CommandContext, temporalRefused } from './context.ts';
import { failureLines } from './render.ts';
import { consoleLinkFor, webUiLinkFor } from './web-ui.ts';

type Noun = 'workflow' | 'batch';

export function pollQuery<T>(handle: WorkflowHandle, query: QueryDefinition<T>, everyMs: number, onAnswer: (answer: T) => void): { stop: () => Promise<void> } {
  let polling = true;
  const loop = (async () => {
    while (polling) {
      const answer = await askQuery(handle, query);
      if (answer !== null && polling) onAnswer(answer);
      if (polling) await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      polling = false;
      await loop;
    },
  };
}

/** Starts the run and says where it is and whether a worker will pick it up (a refused start: the exit code); Ctrl-C stops watching, not the run. */
export async function startRun<H extends WorkflowHandleWithFirstExecutionRunId>(
  ctx: CommandContext,
  noun: Noun,
  start: () => Promise<H>,
  headline: string,
  more: string[] = [],
): Promise<ExitCode | { handle: H; link: string; stopWatching: () => void }> {
  let handle: H;
  try {
    handle = await start();
  } catch (error) {
    return temporalRefused(ctx, error, `start the ${noun}`);
  }
  const { workflowId, firstExecutionRunId: runId } = handle;
  const { taskQueue } = ctx.config.temporal;
  let link = `workflow ${workflowId}, run ${runId}`;
  const onInterrupt = () => {
    ctx.say(`\nStopped watching. The ${noun} keeps running in Temporal: ${link}`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', onInterrupt);
  ctx.say(headline);
  link = await sayWhere(ctx, workflowId, runId);
  for (const line of more) ctx.say(line);
  if ((await workerIsPolling(ctx.client, taskQueue)) === false) {
    ctx.say(`  No worker is polling task queue "${taskQueue}" yet: start one with "npm run worker".`);
    ctx.say(`  The ${noun} is saved in Temporal and runs as soon as a worker is up.`);
  }
  ctx.say();
  return { handle, link, stopWatching: () => process.off('SIGINT', onInterrupt) };
}

/** Says where to find a run: its ids, its Web UI link (which it returns) and its console page when the API runs. */
export async function sayWhere(ctx: CommandContext, workflowId: string, runId: string): Promise<string> {
  const { address, namespace, uiUrl } = ctx.config.temporal;
  ctx.say(`  Workflow ID  ${workflowId}`);
  ctx.say(`  Run ID       ${runId}`);
  const [link, consoleLink] = await Promise.all([
    webUiLinkFor(address, uiUrl, namespace, workflowId, runId),
    consoleLinkFor(ctx.config.serviceHost, ctx.config.api.port, workflowId),
  ]);
  ctx.say(`  Web UI       ${link}`);
  if (consoleLink) ctx.say(`  Console      ${consoleLink}`);
  return link;
}

export async function outcomeOf<T>(handle: { result: () => Promise<T> }): Promise<{ result: T } | { failure: WorkflowFailedError } | { lostContact: Error }> {
  try {
    return { result: await handle.result() };
  } catch (error) {
    return error instanceof WorkflowFailedError ? { failure: error } : { lostContact: error as Error };
  }
}

export function sayFailure(ctx: CommandContext, headline: string, failures: FailureLink[], more: string[], link: string): void {
  ctx.say();
  ctx.say(headline);
  for (const line of failureLines(failures)) ctx.say(`  ${line}`);
  for (const line of more) ctx.say(line);
  ctx.say(`Full history: ${link}`);
}

/** Contact lost while waiting: the run itself is unaffected. */
export function sayLostContact(noun: Noun, error: Error, link: string): ExitCode {
  process.stderr.write(`Lost contact with Temporal while waiting for the ${noun === 'workflow' ? 'result' : 'batch'}: ${error.message}\n`);
  process.stderr.write(`The ${noun} keeps running in Temporal: ${link}\n`);
  return EXIT.lostContact;
}
