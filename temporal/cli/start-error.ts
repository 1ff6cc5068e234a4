// What the verbs that start a workflow (run, batch) say when Temporal refuses the start, and the exit
// code: a namespace that does not exist is the user's configuration to fix; anything else, a failed start.
import { NamespaceNotFoundError } from '@temporalio/common';
import type { CommandContext } from './context.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

export function startFailed(ctx: CommandContext, error: unknown, what: string): ExitCode {
  const { address, namespace } = ctx.config.temporal;
  if (error instanceof NamespaceNotFoundError) {
    process.stderr.write(`Namespace "${namespace}" does not exist on ${address}: check TEMPORAL_NAMESPACE.\n`);
    return EXIT.usage;
  }
  process.stderr.write(`Could not start ${what}: ${(error as Error).message}\n`);
  return EXIT.couldNotStart;
}
