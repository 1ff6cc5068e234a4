// The messages a run takes: POST /workflows/{key}/approve and /reject send the publish saga's `decide`
// update as the signed-in reviewer, POST /workflows/{key}/cancel asks any run to stop (operators). What each
// answer means is in openapi.ts.
import { type Client, isGrpcDeadlineError, type WorkflowExecutionDescription, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type Route, Reply } from '../shared/service/create-app.ts';
import { HttpError, parseRequest } from '../shared/service/http-error.ts';
import type { CancelAnswer, DecisionAnswer } from '../temporal/runs/contract.ts';
import { describeExecution, isClosed, takesReview, within } from '../temporal/runs/describe-run.ts';
import { decideUpdate, type ReviewDecision } from '../temporal/workflows/review.ts';
import { identityOf, requires } from './auth/guard.ts';
import { DecisionRequest, KeyParams } from './contract.ts';
import { type ApiContext, notFound, unavailable } from './temporal-link.ts';

/** An update is answered by a worker: a web request waits this long for one, then says none answered. */
export const DECISION_DEADLINE_MS = 10_000;

export function messageRoutes(ctx: ApiContext): Route[] {
  const decide = (kind: ReviewDecision['decision']): Route => ({
    method: 'POST',
    path: `/workflows/:key/${kind}`,
    handle: async (raw, req, res): Promise<DecisionAnswer> => {
      const { key } = parseRequest(KeyParams, req.params, 'path');
      const { reviewer, ...rest } = parseRequest(DecisionRequest, raw);
      const { name } = identityOf(res);
      if (reviewer !== undefined && reviewer !== name) {
        const message = `Signed in as ${name}: a decision is recorded under the name of whoever makes it, so it cannot name ${reviewer}`;
        throw new HttpError(403, 'FORBIDDEN', message, { field: 'reviewer' });
      }
      const decision: ReviewDecision = { decision: kind, reviewer: name, ...rest };
      const client = ctx.temporal.client();
      const info = await openRun(ctx, client, key);
      if (!takesReview(info.type)) throw new HttpError(409, 'DECISION_REFUSED', `A ${info.type} run takes no review decision: only publish runs are reviewed`);
      try {
        const review = await within(client, () => client.workflow.getHandle(key).executeUpdate(decideUpdate, { args: [decision] }), DECISION_DEADLINE_MS);
        return { workflowId: key, review };
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
          throw new HttpError(409, 'DECISION_REFUSED', `Refused by the run: ${error.cause.message}`);
        }
        if (error instanceof WorkflowNotFoundError) throw closedMeanwhile(key);
        if (!isGrpcDeadlineError(error)) throw error;
        throw unavailable(
          `No worker answered the decision within ${DECISION_DEADLINE_MS / 1000} s: is one polling task queue "${ctx.taskQueue}"? ` +
            `The decision may still apply once one does: GET /workflows/${key} shows the review.`,
        );
      }
    },
  });
  const cancel: Route = {
    method: 'POST',
    path: '/workflows/:key/cancel',
    handle: async (_raw, req): Promise<Reply> => {
      const { key } = parseRequest(KeyParams, req.params, 'path');
      const client = ctx.temporal.client();
      const info = await openRun(ctx, client, key);
      await within(client, () => client.workflow.getHandle(key).cancel()).catch((error: unknown) => {
        throw error instanceof WorkflowNotFoundError ? closedMeanwhile(key) : error;
      });
      return new Reply(202, { workflowId: key, runId: info.runId, cancelRequested: true } satisfies CancelAnswer);
    },
  };
  return [requires('reviewer', decide('approve')), requires('reviewer', decide('reject')), requires('operator', cancel)];
}

/** The run under the key, which must still be open. */
async function openRun(ctx: ApiContext, client: Client, key: string): Promise<WorkflowExecutionDescription> {
  const info = (await describeExecution(client, key)) ?? notFound(ctx.namespace, key);
  if (isClosed(info.status.name)) {
    throw new HttpError(409, 'RUN_CLOSED', `The run with key "${key}" has already ended (${info.status.name}): there is nothing to decide or cancel any more`);
  }
  return info;
}

function closedMeanwhile(key: string): HttpError {
  return new HttpError(409, 'RUN_CLOSED', `The run with key "${key}" ended before the request reached it`);
}
