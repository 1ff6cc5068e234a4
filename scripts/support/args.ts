// Checks for the scripts' options. A bad option is a UsageError: the script prints it with its usage on
// stderr and exits 2, as the client does (temporal/cli/args.ts).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export class UsageError extends Error {}
/** -h or --help: the script prints its usage and exits 0. */
class HelpRequested extends Error {}

/** Strict `--name value` options and `--flag`s (no positionals), plus -h/--help. */
export function parseOptions<N extends string, F extends string = never>(argv: string[], names: N[], flags: F[] = []) {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
  for (const name of names) options[name] = { type: 'string' };
  for (const flag of flags) options[flag] = { type: 'boolean' };
  let values;
  try {
    values = parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new HelpRequested();
  return values as Partial<Record<N, string> & Record<F, boolean>>;
}

/** What `parse` made of the command line, or the help or the usage error printed and the script ended. */
export function commandOrExit<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(usage);
      process.exit(0);
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage}\n`);
    process.exit(2);
  }
}

export function wholeNumber(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export function workflowsAndConcurrency(values: { workflows?: string | undefined; concurrency?: string | undefined }, defaultWorkflows: number) {
  const workflows = wholeNumber('--workflows', values.workflows ?? String(defaultWorkflows), 1, 1_000_000);
  const concurrency = wholeNumber('--concurrency', values.concurrency ?? String(Math.min(50, workflows)), 1, 1_000);
  if (concurrency > workflows) throw new UsageError(`--concurrency must be at most --workflows (${workflows}), got ${concurrency}`);
  return { workflows, concurrency };
}
