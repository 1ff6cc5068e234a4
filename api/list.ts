// GET /workflows?kind=&status=&keyPrefix=&review=&category=&step=&limit=, by the CLI's query (runs/visibility.ts).
import type { Route } from '../shared/service/create-app.ts';
import { parseRequest } from '../shared/service/http-error.ts';
import { RUN_KINDS } from '../temporal/run-kinds.ts';
import type { RunList } from '../temporal/runs/contract.ts';
import { within } from '../temporal/runs/describe-run.ts';
import { LIST_LIMIT } from '../temporal/runs/list-filters.ts';
import { lacksSearchAttribute, listRuns, quoteValue, visibilityQuery } from '../temporal/runs/visibility.ts';
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
      const items = await within(client, () => listRuns(client, query, limit)).catch((error: unknown) => {
        if (!lacksSearchAttribute(error)) throw error;
        // The worker registers the search attributes when it starts.
        throw unavailable('The namespace lacks a search attribute this filter needs: start the worker once (npm run worker), it registers them');
      });
      return { query, items };
    },
  };
}
