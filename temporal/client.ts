// Entry point: node temporal/client.ts ["data"] [multi|simple] [--json] [--third-party]
// Starts a workflow, shows its steps as they complete, and prints the result.
// Exit codes: 0 completed, 1 workflow failed, 2 usage or configuration error, 3 Temporal unreachable.
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { nanoid } from 'nanoid';
import { loadConfigOrExit } from '../shared/config.ts';
import { parseCliArgs, USAGE, UsageError } from './cli/args.ts';
import { failureLines, resultLines, stepLine, webUiLink } from './cli/render.ts';
import { watchProgress } from './cli/watch-progress.ts';
import { workerIsPolling } from './task-queue.ts';
import type { multiServerWorkflow } from './workflows/multi-server.ts';
import type { simpleWorkflow } from './workflows/simple.ts';
import type { WorkflowInput, WorkflowResult } from './workflows/types.ts';

const EXIT = { completed: 0, failed: 1, usage: 2, unreachable: 3 } as const;

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
const { address, namespace, taskQueue, uiUrl } = config.temporal;
// With --json, stdout carries only the result; everything for humans goes to stderr.
const say = (line = '') => (command.json ? process.stderr : process.stdout).write(`${line}\n`);

let connection: Connection;
try {
  connection = await Connection.connect({ address, connectTimeout: '5s' });
} catch (error) {
  process.stderr.write(
    `Cannot reach Temporal at ${address}: ${(error as Error).message.split('\n')[0]}\n` +
      'Start it with "npm run temporal:dev" (no Docker) or "npm run temporal:start" (Docker), or set TEMPORAL_ADDRESS.\n',
  );
  process.exit(EXIT.unreachable);
}
const client = new Client({ connection, namespace });

const input: WorkflowInput = { data: command.data };
if (command.thirdParty) input.thirdParty = {};
const workflowId = `${command.mode === 'multi' ? 'multi-server' : 'simple'}-${nanoid()}`;
const options = { taskQueue, workflowId, args: [input] as [WorkflowInput] };
let handle;
try {
  handle =
    command.mode === 'multi'
      ? await client.workflow.start<typeof multiServerWorkflow>('multiServerWorkflow', options)
      : await client.workflow.start<typeof simpleWorkflow>('simpleWorkflow', options);
} catch (error) {
  if (error instanceof NamespaceNotFoundError) {
    process.stderr.write(`Namespace "${namespace}" does not exist on ${address}: check TEMPORAL_NAMESPACE.\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`Could not start the workflow: ${(error as Error).message}\n`);
  process.exit(EXIT.failed);
}
const link = webUiLink(uiUrl, namespace, workflowId, handle.firstExecutionRunId);

// Ctrl-C stops watching, not the workflow: it is durable and keeps going in Temporal.
process.once('SIGINT', () => {
  say(`\nStopped watching. The workflow keeps running in Temporal: ${link}`);
  process.exit(130);
});

say(`Started ${command.mode === 'multi' ? 'multiServerWorkflow' : 'simpleWorkflow'} with data ${JSON.stringify(command.data)}`);
say(`  Workflow ID  ${workflowId}`);
say(`  Run ID       ${handle.firstExecutionRunId}`);
say(`  Web UI       ${link}`);
if ((await workerIsPolling(client, taskQueue)) === false) {
  say(`  No worker is polling task queue "${taskQueue}" yet: start one with "npm run worker".`);
  say('  The workflow is saved in Temporal and runs as soon as a worker is up.');
}
say();

const watcher = watchProgress(connection, handle, (step, ms) => say(stepLine(step, ms)));
try {
  const result: WorkflowResult = await handle.result();
  await watcher.stop();
  for (const t of result.timings) if (!watcher.shown.has(t.step)) say(stepLine(t.step, t.durationMs));
  say();
  if (command.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else for (const line of resultLines(result)) say(line);
  process.exitCode = EXIT.completed;
} catch (error) {
  await watcher.stop();
  if (!(error instanceof WorkflowFailedError)) {
    // Lost contact while waiting; the workflow itself is unaffected.
    process.stderr.write(`Stopped waiting for the result: ${(error as Error).message}\nThe workflow keeps running in Temporal: ${link}\n`);
    process.exit(EXIT.failed);
  }
  const { step, lines } = failureLines(error.cause);
  if (step) say(stepLine(step, null, 'failed'));
  say();
  say(`Workflow failed${step ? ` at step "${step}"` : ''}:`);
  for (const line of lines) say(`  ${line}`);
  say(`Full history: ${link}`);
  process.exitCode = EXIT.failed;
} finally {
  await connection.close();
}
