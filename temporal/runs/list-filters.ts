// What `list` and GET /workflows filter runs by: plain types and numbers, so the CLI checks its options without loading the query code.
export const LIST_LIMIT = { min: 1, max: 1000, default: 20 } as const;

export interface ListFilters {
  /** One of visibility.ts's EXECUTION_STATUSES, in any case ("running" is Running). */
  status?: string | undefined;
  category?: string | undefined;
  step?: string | undefined;
  review?: string | undefined;
  /** Runs whose workflow id starts with this, such as a schedule's "multi-server-every-5m". */
  workflowIdPrefix?: string | undefined;
}
