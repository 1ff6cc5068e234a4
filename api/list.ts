// GET /workflows?kind=&status=&keyPrefix=&review=&category=&step=&limit=, by the CLI's query (runs/visibility.ts).
import type { Route } from '../shared/service/create-app.ts';
import { parseRequest } from '../shared/service/http-error.ts';
import { causeChain } from '../temporal/failure-chain.ts';
import { RUN_KINDS } from '../temporal/run-kinds.ts';
import type { RunList, RunRow } from '../temporal/runs/contract.ts';
import { within } from '../temporal/runs/describe-run.ts';
import { LIST_LIMIT } from '../temporal/runs/list-filters.ts';
import { quoteValue, runRow, visibilityQuery } from '../temporal/runs/visibility.ts';
import { ListQuery } from './contract.ts';
import { type ApiContext, unavailable } from './temporal-link.ts';

export function listRoute(ctx: ApiContext): Route {
  return {
    method: 'GET',
    path: '/workflows',
    handle: async (_raw, req): Promise<RunList> => {
      const { kind, status, review, category, step, keyPrefix, limit = LIST_LIMIT.default } = parseRequest(ListQuery, req.query, 'query');
      const filters = { status, review, category, step, workflowIdPrefix: keyPrefix };
      const conditions = [visibilityQuery(filters), kind && `WorkflowType = ${quoteValue(RUN_KINDS[kind].workflow.name)}`];
      const query = conditions.filter(Boolean).join(' AND ');
      const client = ctx.temporal.client();
      const items: RunRow[] = [];
      await within(client, async () => {
        // Visibility pages through the namespace; stop asking once the limit is reached.
        for await (const info of client.workflow.list({ query, pageSize: limit })) {
          items.push(runRow(info));
          if (items.length >= limit) break;
        }
      }).catch((error: unknown) => {
        // The SDK wraps the server's refusal ("Failed to list workflows"); its reason is in the cause.
        const reason = causeChain(error).map((e) => e.message);
        if (!reason.some((text) => /not a valid search attribute|is not defined/i.test(text))) throw error;
        // The worker registers the search attributes when it starts.
        throw unavailable('The namespace lacks a search attribute this filter needs: start the worker once (npm run worker), it registers them');
      });
      return { query, items };
    },
  };
}
