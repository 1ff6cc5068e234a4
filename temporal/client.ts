// Entry point: node temporal/client.ts [verb] …   (see --help; without a verb: run "data" multi|simple|publish)
// Parses the command line, connects to Temporal, and hands over to the verb's module in cli/commands/.
// Exit codes: cli/exit-codes.ts (also in --help and the README).
import { loadConfigOrExit } from '../shared/config.ts';
import { startTracing } from '../shared/tracing/setup.ts';
import { type CliCommand, parseCommand, usageOf, UsageError } from './cli/args.ts';
import { batchCommand } from './cli/commands/batch.ts';
import { listCommand } from './cli/commands/list.ts';
import { cancelCommand, decideCommand, statusCommand } from './cli/commands/review.ts';
import { runCommand } from './cli/commands/run.ts';
import { scheduleCommand } from './cli/commands/schedule.ts';
import { connectCli } from './cli/connect.ts';
import type { CommandContext } from './cli/context.ts';
import { EXIT, type ExitCode } from './cli/exit-codes.ts';

const argv = process.argv.slice(2);
let command: CliCommand;
try {
  command = parseCommand(argv);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${usageOf(argv)}\n`);
  process.exit(EXIT.usage);
}
if (command.verb === 'help') {
  process.stdout.write(command.text);
  process.exit(EXIT.completed);
}

const config = loadConfigOrExit();
const tracing = startTracing('client', config.traces);
const ctx = await connectCli(config, command.json);
if ('failed' in ctx) {
  process.stderr.write(`${ctx.message}\n`);
  process.exit(ctx.failed);
}
const code = await dispatch(ctx, command);
await ctx.connection.close();
// The start's span may still wait in a batch for the OTLP receiver.
await tracing?.shutdown();
process.exit(code);

function dispatch(ctx: CommandContext, c: Exclude<CliCommand, { verb: 'help' }>): Promise<ExitCode> {
  switch (c.verb) {
    case 'run':
      return runCommand(ctx, c);
    case 'status':
      return statusCommand(ctx, c.workflowId);
    case 'approve':
    case 'reject':
      return decideCommand(ctx, c.workflowId, { decision: c.verb, reviewer: c.reviewer, ...(c.comment !== undefined && { comment: c.comment }) }, c.signal);
    case 'cancel':
      return cancelCommand(ctx, c.workflowId);
    case 'list':
      return listCommand(ctx, c);
    case 'batch':
      return batchCommand(ctx, c);
    case 'schedule':
      return scheduleCommand(ctx, c.action, c);
  }
}
