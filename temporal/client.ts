// Entry point: node temporal/client.ts ["data"] [multi|simple] [--json] [--third-party] [--outage-limit TIME]
// Starts a workflow, shows its steps as they complete, and prints the outcome. Exit codes: see EXIT in
// cli/args.ts (also in --help and the README).
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { nanoid } from 'nanoid';
import { loadConfigOrExit } from '../shared/config.ts';
import { parseCliArgs, USAGE, UsageError } from './cli/args.ts';
import { EXIT } from './cli/exit-codes.ts';
import { compensationLines, ENDED, failureLines, failureOutcome, resultLines, stepLine } from './cli/render.ts';
import { finalProgress, stoppedStep, watchProgress } from './cli/watch-progress.ts';
import { webUiLinkFor } from './cli/web-ui.ts';
import { dataConverterFor } from './codec/data-converter.ts';
import { connectionOptions } from './connection-options.ts';
import { probeTcp } from './probe-tcp.ts';
import { workerIsPolling } from './task-queue.ts';
import { WORKFLOW_KINDS } from './workflows/kinds.ts';
import type { MultiServerInput, WorkflowResult } from './workflows/types.ts';

let command;
try {
  command = parseCliArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  process.exit(EXIT.usage);
}
if (command.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(EXIT.completed);
}

const config = loadConfigOrExit();
const { address, namespace, taskQueue } = config.temporal;
// With --json, stdout carries only the outcome; everything for humans goes to stderr.
const say = (line = '') => (command.json ? process.stderr : process.stdout).write(`${line}\n`);
const hint = 'Start it with "npm run temporal:dev" (no Docker) or "npm run temporal:start" (Docker), or set TEMPORAL_ADDRESS.';

// A refused port is known at once; the gRPC connect would only give up at its deadline.
const probe = await probeTcp(address);
if (probe !== 'open') {
  process.stderr.write(`Cannot reach Temporal at ${address}: ${probe}.\n${hint}\n`);
  process.exit(EXIT.couldNotStart);
}
let connection: Connection;
try {
  connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: '5s' });
} catch (error) {
  process.stderr.write(`Cannot reach Temporal at ${address}: ${(error as Error).message.split('\n')[0]}\n${hint}\n`);
  process.exit(EXIT.couldNotStart);
}
const client = new Client({ connection, namespace, dataConverter: dataConverterFor(config.codec.keys) });

const kind = WORKFLOW_KINDS[command.mode];
const input: MultiServerInput = { data: command.data };
if (command.thirdParty) input.thirdParty = {};
if (command.outageLimit) input.outageLimit = command.outageLimit;
const workflowId = `${kind.idPrefix}-${nanoid()}`;
let handle;
try {
  handle = await client.workflow.start(kind.workflow, { taskQueue, workflowId, args: [input] });
} catch (error) {
  if (error instanceof NamespaceNotFoundError) {
    process.stderr.write(`Namespace "${namespace}" does not exist on ${address}: check TEMPORAL_NAMESPACE.\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`Could not start the workflow: ${(error as Error).message}\n`);
  process.exit(EXIT.couldNotStart);
}
const runId = handle.firstExecutionRunId;
let link = `workflow ${workflowId}, run ${runId}`;

// Ctrl-C stops watching, not the workflow: it is durable and keeps going in Temporal.
process.once('SIGINT', () => {
  say(`\nStopped watching. The workflow keeps running in Temporal: ${link}`);
  process.exit(EXIT.interrupted);
});

say(`Started ${kind.workflow.name} with data ${JSON.stringify(command.data)}`);
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
let outcome: { result: WorkflowResult } | { failure: WorkflowFailedError } | { lostContact: Error };
try {
  outcome = { result: await handle.result() };
} catch (error) {
  outcome = error instanceof WorkflowFailedError ? { failure: error } : { lostContact: error as Error };
}
await watcher.stop();

if ('result' in outcome) {
  const { result } = outcome;
  for (const t of result.timings) if (!watcher.shown.has(t.step)) say(stepLine(t.step, t.status === 'completed' ? t.durationMs : null, t.status));
  say();
  if (command.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else for (const line of resultLines(result)) say(line);
  process.exitCode = EXIT.completed;
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
  if (command.json) process.stdout.write(`${JSON.stringify(failed, null, 2)}\n`);
  process.exitCode = EXIT.failed;
} else {
  // Lost contact while waiting; the workflow itself is unaffected.
  process.stderr.write(`Lost contact with Temporal while waiting for the result: ${outcome.lostContact.message}\n`);
  process.stderr.write(`The workflow keeps running in Temporal: ${link}\n`);
  process.exitCode = EXIT.lostContact;
}
await connection.close();
