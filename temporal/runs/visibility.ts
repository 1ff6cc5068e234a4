// Finding runs: the API and the CLI build their visibility query here, so the text one shows works in the other, the Web UI and Temporal's CLI.
import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { causeChain } from '../failure-chain.ts';
import { CURRENT_STEP, DATA_CATEGORY, REVIEW_STATE } from '../workflows/search-attributes.ts';
import type { RunRow } from './contract.ts';
import type { ListFilters } from './list-filters.ts';

/** The ExecutionStatus values a visibility query accepts, spelled as it wants them (it is case-sensitive). */
export const EXECUTION_STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut', 'ContinuedAsNew'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export class ListUsageError extends Error {}

/** The status as the query spells it (RUNNING, cancelled and TIMED_OUT too); undefined when it is none of EXECUTION_STATUSES. */
export function executionStatus(value: string): ExecutionStatus | undefined {
  const wanted = value.toLowerCase().replaceAll('_', '');
  return EXECUTION_STATUSES.find((s) => s.toLowerCase() === wanted || (s === 'Canceled' && wanted === 'cancelled'));
}

/** A run's status as the query spells it (CANCELLED → Canceled); others (PAUSED, UNKNOWN) as the SDK names them. */
export function statusWord(name: WorkflowExecutionStatusName): string {
  return executionStatus(name) ?? name;
}

/** A string literal of the query language, `\` and `"` escaped: a value can never end it early and add conditions of its own. */
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

/** "2026-12-01T23:05:00Z": to the second, as visibility and schedules keep times. */
export const toSecond = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The first `limit` runs the query finds: visibility pages through the namespace, so it stops asking once it has them. */
export async function listRuns(client: Client, query: string, limit: number): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for await (const info of client.workflow.list({ query, pageSize: limit })) {
    const attributes = info.typedSearchAttributes;
    rows.push({
      workflowId: info.workflowId,
      runId: info.runId,
      type: info.type,
      status: statusWord(info.status.name),
      startTime: toSecond(info.startTime),
      closeTime: info.closeTime ? toSecond(info.closeTime) : null,
      dataCategory: attributes.get(DATA_CATEGORY) ?? null,
      currentStep: attributes.get(CURRENT_STEP) ?? null,
      reviewState: attributes.get(REVIEW_STATE) ?? null,
    });
    if (rows.length >= limit) break;
  }
  return rows;
}

/** The server refused the query for a search attribute the namespace lacks (the SDK wraps its reason in the cause). */
export const lacksSearchAttribute = (error: unknown) => causeChain(error).some((e) => /not a valid search attribute|is not defined/i.test(e.message));
