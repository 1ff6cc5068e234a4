// The `list` verb: finds runs with a visibility query over the run's status and the project's search
// attributes (workflows/search-attributes.ts), prints the query first (the same text works in the Web
// UI's search box and in `temporal workflow list --query`), then one line per run.
import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import { CURRENT_STEP, DATA_CATEGORY, REVIEW_STATE } from '../../workflows/search-attributes.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';

/** The ExecutionStatus values a visibility query accepts, spelled as it wants them (it is case-sensitive). */
export const EXECUTION_STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut', 'ContinuedAsNew'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const LIST_LIMIT = { min: 1, max: 1000, default: 20 } as const;

export interface ListFilters {
  /** One of EXECUTION_STATUSES, in any case ("running" is Running). */
  status?: string | undefined;
  category?: string | undefined;
  step?: string | undefined;
  review?: string | undefined;
  /** Runs whose workflow id starts with this, such as a schedule's "multi-server-every-5m". */
  workflowIdPrefix?: string | undefined;
}

export interface ListOptions extends ListFilters {
  limit?: number | undefined;
}

export class ListUsageError extends Error {}

/** The status as the query spells it; undefined when it is none of EXECUTION_STATUSES. */
export function executionStatus(value: string): ExecutionStatus | undefined {
  const wanted = value.toLowerCase().replaceAll('_', '');
  return EXECUTION_STATUSES.find((s) => s.toLowerCase() === wanted || (s === 'Canceled' && wanted === 'cancelled'));
}

/**
 * A string literal of the query language: in double quotes, with `\` and `"` escaped, so a value can
 * never end the literal early and add conditions of its own.
 */
export function quoteValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The visibility query for the filters, conditions joined by AND; "" (every run) when there are none. Throws ListUsageError. */
export function visibilityQuery(filters: ListFilters): string {
  const conditions: string[] = [];
  if (filters.status !== undefined) {
    const status = executionStatus(filters.status);
    if (!status) throw new ListUsageError(`--status must be one of ${EXECUTION_STATUSES.join(', ')}, got ${JSON.stringify(filters.status)}`);
    conditions.push(`ExecutionStatus = ${quoteValue(status)}`);
  }
  if (filters.category !== undefined) conditions.push(`${DATA_CATEGORY.name} = ${quoteValue(filters.category)}`);
  if (filters.step !== undefined) conditions.push(`${CURRENT_STEP.name} = ${quoteValue(filters.step)}`);
  if (filters.review !== undefined) {
    conditions.push(`${REVIEW_STATE.name} = ${quoteValue(filters.review)}`);
    // A run that ended without deciding (terminated, timed out) keeps "pending": waiting means running.
    if (filters.status === undefined && (filters.review === 'pending' || filters.review === 'escalated')) conditions.push('ExecutionStatus = "Running"');
  }
  if (filters.workflowIdPrefix !== undefined) conditions.push(`WorkflowId STARTS_WITH ${quoteValue(filters.workflowIdPrefix)}`);
  return conditions.join(' AND ');
}

/** The limit, checked: a whole number from 1 to 1000 (default 20). Throws ListUsageError. */
export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return LIST_LIMIT.default;
  if (!Number.isInteger(limit) || limit < LIST_LIMIT.min || limit > LIST_LIMIT.max) {
    throw new ListUsageError(`--limit must be a whole number from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}, got ${limit}`);
  }
  return limit;
}

/** A word for a POSIX shell: as it is when that is safe, else in single quotes ("it's" → 'it'\''s'). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9._/:=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The query, and how to run the same search in the Web UI and with Temporal's CLI. */
export function queryLines(query: string, namespace: string): string[] {
  const cli = `temporal workflow list --namespace ${shellQuote(namespace)}${query === '' ? '' : ` --query ${shellQuote(query)}`}`;
  return [`Query   ${query === '' ? '(none: every run)' : query}`, "  Web UI: paste it in the Workflows page's search box", `  CLI:    ${cli}`];
}

/** One run as `list` shows it (and prints it with --json). */
export interface RunRow {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  dataCategory: string | null;
  currentStep: string | null;
  reviewState: string | null;
}

const STATUS_WORDS: Partial<Record<WorkflowExecutionStatusName, ExecutionStatus>> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
};

/** A run's status as the query spells it (CANCELLED → Canceled); others (PAUSED, UNKNOWN) as the SDK names them. */
export function statusWord(name: WorkflowExecutionStatusName): string {
  return STATUS_WORDS[name] ?? name;
}

const time = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function runRow(info: WorkflowExecutionInfo): RunRow {
  const attributes = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    type: info.type,
    status: statusWord(info.status.name),
    startTime: time(info.startTime),
    closeTime: info.closeTime ? time(info.closeTime) : null,
    dataCategory: attributes.get(DATA_CATEGORY) ?? null,
    currentStep: attributes.get(CURRENT_STEP) ?? null,
    reviewState: attributes.get(REVIEW_STATE) ?? null,
  };
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
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => row[key] ?? '-'))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<ExitCode> {
  let query: string;
  let limit: number;
  try {
    query = visibilityQuery(options);
    limit = listLimit(options.limit);
  } catch (error) {
    if (!(error instanceof ListUsageError)) throw error;
    return refuse(ctx, EXIT.usage, error.message);
  }
  const { say } = ctx;
  const { namespace } = ctx.config.temporal;
  for (const line of queryLines(query, namespace)) say(line);
  say();

  const rows: RunRow[] = [];
  try {
    // Visibility pages through the namespace; stop asking once the limit is reached.
    for await (const info of ctx.client.workflow.list({ query, pageSize: limit })) {
      rows.push(runRow(info));
      if (rows.length >= limit) break;
    }
  } catch (error) {
    // The SDK wraps the server's refusal ("Failed to list workflows"); its reason is in the cause.
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error) : undefined;
    const message = [(error as Error).message, cause?.message].filter(Boolean).join(': ').split('\n')[0] ?? '';
    if (/not a valid search attribute|is not defined/i.test(message)) {
      return refuse(
        ctx,
        EXIT.failed,
        `The namespace "${namespace}" lacks a search attribute of this query (${message}). Start the worker once (npm run worker): it registers them.`,
      );
    }
    // INVALID_ARGUMENT: the server refused the query itself; anything else is reaching Temporal.
    const refusedQuery = (cause as { code?: number } | undefined)?.code === 3;
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

/** Says why (stderr), and with --json prints it as `{ error }` on stdout too. */
function refuse(ctx: CommandContext, code: ExitCode, message: string): ExitCode {
  process.stderr.write(`${message}\n`);
  if (ctx.json) ctx.out({ error: { message } });
  return code;
}
