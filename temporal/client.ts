// Entry point: node temporal/client.ts [verb] … (see --help); each verb's module in cli/commands/ is loaded only for that verb.
import { loadConfig, orExit } from '../shared/config.ts';
import { startTracing } from '../shared/tracing/setup.ts';
import { type CliCommand, EXIT, type ExitCode, parseCommand, UsageError } from './cli/args.ts';
import { type CommandContext, connectCli } from './cli/context.ts';

let command: CliCommand;
try {
  command = parseCommand(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(EXIT.usage);
}
if (command.verb === 'help') {
  process.stdout.write(command.text);
  process.exit(EXIT.completed);
}

const config = orExit(loadConfig);
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

async function dispatch(ctx: CommandContext, c: Exclude<CliCommand, { verb: 'help' }>): Promise<ExitCode> {
  switch (c.verb) {
    case 'run':
      return (await import('./cli/commands/run.ts')).runCommand(ctx, c);
    case 'status':
      return (await import('./cli/commands/review.ts')).statusCommand(ctx, c.workflowId);
    case 'approve':
    case 'reject':
      return (await import('./cli/commands/review.ts')).decideCommand(ctx, c);
    case 'cancel':
      return (await import('./cli/commands/review.ts')).cancelCommand(ctx, c.workflowId);
    case 'list':
      return (await import('./cli/commands/list.ts')).listCommand(ctx, c);
    case 'batch':
      return (await import('./cli/commands/batch.ts')).batchCommand(ctx, c);
    case 'schedule':
      return (await import('./cli/commands/schedule.ts')).scheduleCommand(ctx, c);
  }
}
