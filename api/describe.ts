// GET /workflows/{key}: the run's status, progress, review, and once it has closed, its result or its
// failure told apart as business, technical or cancelled (temporal/runs/types.ts). The CLI's
// `status --json` answers with the same RunDescription, from the same function.
import type { Route } from '../shared/service/create-app.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { describeRun } from '../temporal/runs/describe-run.ts';
import type { RunDescription } from '../temporal/runs/types.ts';
import type { ApiContext } from './context.ts';
import { keyParam } from './params.ts';

export function describeRoute(ctx: ApiContext): Route {
  return {
    method: 'GET',
    path: '/workflows/:key',
    handle: async (_raw, req): Promise<RunDescription> => {
      const key = keyParam(req);
      return (await describeRun(ctx.temporal.client(), key)) ?? notFound(ctx, key);
    },
  };
}

export function notFound(ctx: ApiContext, key: string): never {
  throw new HttpError(
    404,
    'NOT_FOUND',
    `No run with key "${key}" in namespace "${ctx.namespace}" (a closed run is deleted once the namespace's retention has passed)`,
  );
}
