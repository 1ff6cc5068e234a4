// Checks for the scripts' options. A bad option is a UsageError: the script prints it with its usage on
// stderr and exits 2, as the client does (temporal/cli/args.ts).
export class UsageError extends Error {}

export function wholeNumber(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** --workflows and --concurrency together: concurrency defaults to 50 (or fewer, with fewer workflows) and may not exceed the workflows. */
export function workflowsAndConcurrency(values: { workflows?: string | undefined; concurrency?: string | undefined }, defaultWorkflows: number) {
  const workflows = wholeNumber('--workflows', values.workflows ?? String(defaultWorkflows), 1, 1_000_000);
  const concurrency = wholeNumber('--concurrency', values.concurrency ?? String(Math.min(50, workflows)), 1, 1_000);
  if (concurrency > workflows) throw new UsageError(`--concurrency must be at most --workflows (${workflows}), got ${concurrency}`);
  return { workflows, concurrency };
}
