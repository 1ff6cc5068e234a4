// The chaos run's command line. Bad options are a usage message on stderr and exit code 2, as for the
// client (temporal/cli/args.ts).
import { parseOptions, UsageError, wholeNumber } from '../support/args.ts';

export interface ChaosOptions {
  workflows: number;
  /** Workflows in flight at once. */
  concurrency: number;
  /** Seeds the workflow mix, the kill moments and the downtimes; printed so a run can be repeated. */
  seed: number;
  /** Share of the workflows that are the publish saga; the others are multi-server runs. */
  sagaShare: number;
}

export const USAGE = `Usage: npm run chaos -- [--workflows N] [--concurrency C] [--seed S] [--saga-share P]

Starts a whole stack of its own (Temporal dev server, Server A, Server B, one worker) on free ports,
with every database in a temporary directory, and runs N workflows (multi-server and the publish saga)
while it kills Server B 4 times and the worker twice with SIGKILL, each back after a few seconds. Then
it checks every result and the saga's effects in the services' state, and stops everything.

  --workflows N     workflows to run, 1 to 100000 (default 100)
  --concurrency C   workflows in flight at once, 1 to 1000 (default 50)
  --seed S          seed of the workflow mix, kill moments and downtimes, 0 to 4294967295
                    (default: a random one, printed so the run can be repeated)
  --saga-share P    share of publish sagas among the workflows, 0 to 1 (default 0.5)
  -h, --help        show this help

Exit codes: 0 every workflow ended as expected, none lost, no duplicate or inconsistent effect;
1 anything else (the report says what); 2 usage error.`;

/** The options, or undefined when help was asked for. */
export function parseChaosArgs(argv: string[], randomSeed: () => number): ChaosOptions | undefined {
  const values = parseOptions(argv, {
    workflows: { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string' },
    'saga-share': { type: 'string' },
  });
  if (!values) return undefined;
  return {
    workflows: wholeNumber('--workflows', values.workflows ?? '100', 1, 100_000),
    concurrency: wholeNumber('--concurrency', values.concurrency ?? '50', 1, 1_000),
    seed: values.seed === undefined ? randomSeed() : wholeNumber('--seed', values.seed, 0, 2 ** 32 - 1),
    sagaShare: share('--saga-share', values['saga-share'] ?? '0.5'),
  };
}

function share(option: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`${option} must be a number from 0 to 1, got "${raw}"`);
  return value;
}
