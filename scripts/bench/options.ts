// The overhead benchmark's command line.
import { parseOptions, wholeNumber, workflowsAndConcurrency } from '../support/args.ts';

export interface OverheadOptions {
  /** Sequential runs of the direct chain and of the workflow. */
  runs: number;
  /** Workflows of the concurrent part, and how many at once. */
  workflows: number;
  concurrency: number;
  /** Start a stack of the benchmark's own even when one is running. */
  ownStack: boolean;
}

export const USAGE = `Usage: npm run bench:overhead -- [--runs N] [--workflows M] [--concurrency C] [--own-stack]

What the orchestration costs, in one run: the multi-server workflow's chain of service calls made
directly (same activity code, no Temporal), the same chain as a workflow one run at a time, and M
workflows C at a time. Uses the running stack (npm start) when a worker polls its task queue, otherwise
starts one of its own (dev server with the project's settings, state on disk in a temporary directory).

  --runs N          sequential runs of the direct chain and of the workflow, 1 to 10000 (default 50)
  --workflows M     workflows of the concurrent part, 1 to 1000000 (default 1000)
  --concurrency C   workflows in flight at once, 1 to 1000 and at most M (default 50)
  --own-stack       start a stack of its own even when one is running
  -h, --help        show this help

Exit codes: 0 measured and every workflow completed; 1 a workflow failed or the stack did not start;
2 usage error.`;

/** The options, or undefined when help was asked for. */
export function parseOverheadArgs(argv: string[]): OverheadOptions | undefined {
  const values = parseOptions(argv, {
    runs: { type: 'string' },
    workflows: { type: 'string' },
    concurrency: { type: 'string' },
    'own-stack': { type: 'boolean' },
  });
  if (!values) return undefined;
  const { workflows, concurrency } = workflowsAndConcurrency(values, 1000);
  return { runs: wholeNumber('--runs', values.runs ?? '50', 1, 10_000), workflows, concurrency, ownStack: values['own-stack'] ?? false };
}
