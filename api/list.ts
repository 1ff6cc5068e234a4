// GET /workflows?kind=&status=&keyPrefix=&review=&category=&step=&limit=: runs found by a visibility query,
// built by the same code as the CLI's `list` (so the answer's `query` also works in the Web UI's search
// box and in `temporal workflow list --query`).
import type { Request } from 'express';
import type { Route } from '../shared/service/create-app.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { queryOneOf, queryString } from '../shared/service/query.ts';
import { EXECUTION_STATUSES, executionStatus, LIST_LIMIT, quoteValue, type RunRow, runRow, visibilityQuery } from '../temporal/cli/commands/list.ts';
import { RUN_KIND_NAMES, RUN_KINDS } from '../temporal/runs/kinds.ts';
import type { RunList } from '../temporal/runs/types.ts';
import type { ApiContext } from './context.ts';
import { within } from './temporal-calls.ts';

const LIST_PARAMETERS = ['kind', 'status', 'keyPrefix', 'review', 'category', 'step', 'limit'];

export function listRoute(ctx: ApiContext): Route {
  return {
    method: 'GET',
    path: '/workflows',
    handle: async (_raw, req): Promise<RunList> => {
      // A misspelt filter (?stauts=) would otherwise list every run, as if it had matched.
      const unknown = Object.keys(req.query).find((name) => !LIST_PARAMETERS.includes(name));
      if (unknown !== undefined) {
        throw new HttpError(400, 'INVALID_FIELD', `unknown query parameter "${unknown}"; GET /workflows takes ${LIST_PARAMETERS.join(', ')}`, {
          field: unknown,
        });
      }
      const kind = queryOneOf(req, 'kind', RUN_KIND_NAMES);
      const status = queryString(req, 'status');
      if (status !== undefined && !executionStatus(status)) {
        throw new HttpError(400, 'INVALID_FIELD', `query parameter "status" must be one of ${EXECUTION_STATUSES.join(', ')}, got ${JSON.stringify(status)}`, {
          field: 'status',
        });
      }
      const filters = {
        status,
        review: queryString(req, 'review'),
        category: queryString(req, 'category'),
        step: queryString(req, 'step'),
        workflowIdPrefix: queryString(req, 'keyPrefix'),
      };
      const limit = limitOf(req);
      const conditions = [visibilityQuery(filters), kind && `WorkflowType = ${quoteValue(RUN_KINDS[kind].workflow.name)}`];
      const query = conditions.filter(Boolean).join(' AND ');
      const client = ctx.temporal.client();
      const items: RunRow[] = [];
      try {
        await within(client, async () => {
          // Visibility pages through the namespace; stop asking once the limit is reached.
          for await (const info of client.workflow.list({ query, pageSize: limit })) {
            items.push(runRow(info));
            if (items.length >= limit) break;
          }
        });
      } catch (error) {
        throw unregistered(error) ?? error;
      }
      return { query, items };
    },
  };
}

function limitOf(req: Request): number {
  const raw = queryString(req, 'limit');
  if (raw === undefined) return LIST_LIMIT.default;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < LIST_LIMIT.min || limit > LIST_LIMIT.max) {
    throw new HttpError(
      400,
      'INVALID_FIELD',
      `query parameter "limit" must be a whole number from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}, got ${JSON.stringify(raw)}`,
      {
        field: 'limit',
      },
    );
  }
  return limit;
}

/** A filter on a search attribute the namespace has not registered yet: the worker registers them when it starts. */
function unregistered(error: unknown): HttpError | undefined {
  const text = [error, (error as Error | undefined)?.cause].map((e) => (e instanceof Error ? e.message : '')).join(': ');
  if (!/not a valid search attribute|is not defined/i.test(text)) return undefined;
  return new HttpError(
    503,
    'UPSTREAM_UNAVAILABLE',
    'The namespace lacks a search attribute this filter needs: start the worker once (npm run worker), it registers them',
  );
}
