// The `list` verb: the visibility query first (it works in the Web UI and in `temporal workflow list --query`), then one line per run.
import { status } from '@grpc/grpc-js';
import type { RunRow } from '../../runs/contract.ts';
import { lacksSearchAttribute, ListUsageError, listRuns, visibilityQuery } from '../../runs/visibility.ts';
import { CURRENT_STEP, DATA_CATEGORY, REVIEW_STATE } from '../../workflows/search-attributes.ts';
import { EXIT, type ExitCode, type ListOptions } from '../args.ts';
import { type CommandContext, refuse } from '../context.ts';
import { table } from '../render.ts';

/** A word for a POSIX shell: as it is when that is safe, else in single quotes ("it's" → 'it'\''s'). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9._/:=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The query, and how to run the same search in the Web UI and with Temporal's CLI. */
export function queryLines(query: string, namespace: string): string[] {
  const cli = `temporal workflow list --namespace ${shellQuote(namespace)}${query === '' ? '' : ` --query ${shellQuote(query)}`}`;
  return [`Query   ${query === '' ? '(none: every run)' : query}`, "  Web UI: paste it in the Workflows page's search box", `  CLI:    ${cli}`];
}

const COLUMNS: Array<[keyof RunRow, string]> = [
  ['workflowId', 'WORKFLOW ID'],
  ['type', 'TYPE'],
  ['status', 'STATUS'],
  ['startTime', 'STARTED'],
  ['dataCategory', DATA_CATEGORY.name],
  ['currentStep', CURRENT_STEP.name],
  ['reviewState', REVIEW_STATE.name],
];

/** The table: a header, then one line per run; an attribute a run has not set shows as "-". */
export function runTable(rows: RunRow[]): string[] {
  return table([COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => row[key] ?? '-'))]);
}

/** The limit comes checked by the command line; the filters are checked here, as the API's are. */
export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<ExitCode> {
  const { limit } = options;
  let query: string;
  try {
    query = visibilityQuery(options);
  } catch (error) {
    if (!(error instanceof ListUsageError)) throw error;
    return refuse(ctx, EXIT.usage, error.message);
  }
  const { say } = ctx;
  const { namespace } = ctx.config.temporal;
  for (const line of queryLines(query, namespace)) say(line);
  say();

  let rows: RunRow[];
  try {
    rows = await listRuns(ctx.client, query, limit);
  } catch (error) {
    // The SDK wraps the server's refusal ("Failed to list workflows"); its reason is in the cause.
    const { cause } = error as { cause?: { message?: string; code?: number } };
    const message = [(error as Error).message, cause?.message].filter(Boolean).join(': ').split('\n')[0] ?? '';
    if (lacksSearchAttribute(error)) {
      const fix = 'Start the worker once (npm run worker): it registers them.';
      return refuse(ctx, EXIT.failed, `The namespace "${namespace}" lacks a search attribute of this query (${message}). ${fix}`);
    }
    // INVALID_ARGUMENT: the server refused the query itself; anything else is reaching Temporal.
    const refusedQuery = cause?.code === status.INVALID_ARGUMENT;
    return refuse(ctx, refusedQuery ? EXIT.failed : EXIT.couldNotStart, `Could not list runs: ${message}`);
  }

  if (rows.length === 0) say('No runs match. (Visibility lags a second or so behind: a run started just now may show in a moment.)');
  else {
    for (const line of runTable(rows)) say(line);
    if (rows.length === limit) say(`(stopped at --limit ${limit}: there may be more)`);
  }
  if (ctx.json) ctx.out(rows);
  return EXIT.completed;
}
