// Checks for the scripts' options. A bad option is a UsageError: the script prints it with its usage on
// stderr and exits 2, as the client does (temporal/cli/args.ts).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export class UsageError extends Error {}

/** Strict `--name value` options and `--flag`s (no positionals) as `check` makes them out; -h or --help prints the usage and exits 0. */
export function optionsOrExit<T, N extends string, F extends string = never>(
  usage: string,
  names: N[],
  flags: F[],
  check: (values: Partial<Record<N, string> & Record<F, boolean>>) => T,
): T {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
  for (const name of names) options[name] = { type: 'string' };
  for (const flag of flags) options[flag] = { type: 'boolean' };
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), strict: true, allowPositionals: false, options });
    if (!values.help) return check(values as Partial<Record<N, string> & Record<F, boolean>>);
    console.log(usage);
    process.exit(0);
  } catch (error) {
    // parseArgs's own errors (an unknown option, a stray argument) carry an ERR_PARSE_ARGS_* code.
    if (!(error instanceof UsageError) && !(error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw error;
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
}

export function wholeNumber(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export function workflowsAndConcurrency(
  values: { workflows?: string | undefined; concurrency?: string | undefined },
  defaultWorkflows: number,
  defaultConcurrency = 50,
) {
  const workflows = wholeNumber('--workflows', values.workflows ?? String(defaultWorkflows), 1, 1_000_000);
  const concurrency = wholeNumber('--concurrency', values.concurrency ?? String(Math.min(defaultConcurrency, workflows)), 1, 1_000);
  if (concurrency > workflows) throw new UsageError(`--concurrency must be at most --workflows (${workflows}), got ${concurrency}`);
  return { workflows, concurrency };
}
