// The load test's command line.
import { KIND_NAMES, type WorkflowKind } from '../../temporal/workflows/kinds.ts';
import { parseOptions, UsageError, workflowsAndConcurrency } from '../support/args.ts';

export interface LoadOptions {
  workflows: number;
  concurrency: number;
  kind: WorkflowKind;
  /** Where the JSON file and the SVG chart go (git-ignored results/ by default). */
  out: string;
}

export const USAGE = `Usage: npm run load -- [--workflows N] [--concurrency C] [--kind ${KIND_NAMES.join('|')}] [--out DIR]

Runs N workflows against the running stack (start it first: npm start or npm run dev:all), at most C
at a time, with a progress bar. Then prints the throughput, the end-to-end latency percentiles and the
failures by cause, and writes a JSON file and an SVG chart (latency over time, throughput) to DIR.

  --workflows N     workflows to run, 1 to 1000000 (default 1000)
  --concurrency C   workflows in flight at once, 1 to 1000 and at most N (default 50)
  --kind K          which workflow: ${KIND_NAMES.join(', ')} (default multi)
  --out DIR         where the results go (default results/, git-ignored)
  -h, --help        show this help

Exit codes: 0 every run completed; 1 some failed (counted by cause); 2 usage error; 3 Temporal or the
worker is not there.`;

/** The options, or undefined when help was asked for. */
export function parseLoadArgs(argv: string[]): LoadOptions | undefined {
  const values = parseOptions(argv, {
    workflows: { type: 'string' },
    concurrency: { type: 'string' },
    kind: { type: 'string' },
    out: { type: 'string' },
  });
  if (!values) return undefined;
  const { workflows, concurrency } = workflowsAndConcurrency(values, 1000);
  const kind = values.kind ?? 'multi';
  if (!(KIND_NAMES as string[]).includes(kind)) throw new UsageError(`--kind must be one of ${KIND_NAMES.join(', ')}, got "${kind}"`);
  const out = values.out ?? 'results';
  if (out.trim() === '') throw new UsageError('--out must name a directory');
  return { workflows, concurrency, kind: kind as WorkflowKind, out };
}
