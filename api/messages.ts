// The messages a run takes: POST /workflows/{key}/approve and /reject send the publish saga's `decide`
// update (its validator refuses a decision that cannot apply, before anything is recorded: 409 with its
// reason), and POST /workflows/{key}/cancel asks any run to stop (202: a saga undoes what it did first,
// then ends cancelled; GET or the event stream show when). A run that does not exist is a 404, one
// that has closed a 409.
import { type Client, isGrpcDeadlineError, type WorkflowExecutionDescription, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Route } from '../shared/service/create-app.ts';
import { bodyObject, HttpError, optionalString, requireString } from '../shared/service/http-error.ts';
import { Reply } from '../shared/service/reply.ts';
import { isClosed, takesReview } from '../temporal/runs/describe-run.ts';
import type { CancelAnswer, DecisionAnswer } from '../temporal/runs/types.ts';
import { decideUpdate } from '../temporal/workflows/messages.ts';
import { decisionProblems } from '../temporal/workflows/review.ts';
import type { ReviewDecision, ReviewDecisionKind } from '../temporal/workflows/types.ts';
import type { ApiContext } from './context.ts';
import { notFound } from './describe.ts';
import { keyParam } from './params.ts';
import { within } from './temporal-calls.ts';

/** An update is answered by a worker: a web request waits this long for one, then says none answered. */
export const DECISION_DEADLINE_MS = 10_000;

const DECISION_FIELDS = ['reviewer', 'comment'];

export function messageRoutes(ctx: ApiContext): Route[] {
  const decide = (kind: ReviewDecisionKind): Route => ({
    method: 'POST',
    path: `/workflows/:key/${kind}`,
    handle: async (raw, req): Promise<DecisionAnswer> => {
      const key = keyParam(req);
      const decision = decisionOf(kind, raw);
      const client = ctx.temporal.client();
      const info = await openRun(ctx, client, key);
      if (!takesReview(info.type)) throw new HttpError(409, 'DECISION_REFUSED', `A ${info.type} run takes no review decision: only publish runs are reviewed`);
      try {
        const review = await within(client, () => client.workflow.getHandle(key).executeUpdate(decideUpdate, { args: [decision] }), DECISION_DEADLINE_MS);
        return { workflowId: key, review };
      } catch (error) {
        throw decisionFailure(ctx, key, error);
      }
    },
  });
  const cancel: Route = {
    method: 'POST',
    path: '/workflows/:key/cancel',
    handle: async (_raw, req): Promise<Reply> => {
      const key = keyParam(req);
      const client = ctx.temporal.client();
      const info = await openRun(ctx, client, key);
      try {
        await within(client, () => client.workflow.getHandle(key).cancel());
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw closedMeanwhile(key);
        throw error;
      }
      return new Reply(202, { workflowId: key, runId: info.runId, cancelRequested: true } satisfies CancelAnswer);
    },
  };
  return [decide('approve'), decide('reject'), cancel];
}

/** The decision in the body, checked by the saga's own rules (review.ts) so a bad one is a 400 naming the field. */
function decisionOf(kind: ReviewDecisionKind, raw: unknown): ReviewDecision {
  const body = bodyObject(raw);
  const unknown = Object.keys(body).find((field) => !DECISION_FIELDS.includes(field));
  if (unknown !== undefined)
    throw new HttpError(400, 'INVALID_FIELD', `unknown field "${unknown}"; a decision takes ${DECISION_FIELDS.join(', ')}`, { field: unknown });
  const reviewer = requireString(body, 'reviewer');
  const comment = optionalString(body, 'comment');
  const decision: ReviewDecision = { decision: kind, reviewer, ...(comment !== undefined && { comment }) };
  const [problem] = decisionProblems(decision);
  if (problem !== undefined) {
    // Type and fields are checked above, so what is left is the reviewer's or the comment's length.
    throw new HttpError(400, 'INVALID_FIELD', problem, { field: problem.startsWith('"comment"') ? 'comment' : 'reviewer' });
  }
  return decision;
}

/** The run under the key, which must still be open. */
async function openRun(ctx: ApiContext, client: Client, key: string): Promise<WorkflowExecutionDescription> {
  let info: WorkflowExecutionDescription;
  try {
    info = await within(client, () => client.workflow.getHandle(key).describe());
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) notFound(ctx, key);
    throw error;
  }
  if (isClosed(info.status.name)) {
    throw new HttpError(409, 'RUN_CLOSED', `The run with key "${key}" has already ended (${info.status.name}): there is nothing to decide or cancel any more`);
  }
  return info;
}

function decisionFailure(ctx: ApiContext, key: string, error: unknown): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    return new HttpError(409, 'DECISION_REFUSED', `Refused by the run: ${error.cause.message}`);
  }
  if (error instanceof WorkflowNotFoundError) return closedMeanwhile(key);
  if (isGrpcDeadlineError(error)) {
    return new HttpError(
      503,
      'UPSTREAM_UNAVAILABLE',
      `No worker answered the decision within ${DECISION_DEADLINE_MS / 1000} s: is one polling task queue "${ctx.taskQueue}"? ` +
        `The decision may still apply once one does: GET /workflows/${key} shows the review.`,
    );
  }
  return error;
}

function closedMeanwhile(key: string): HttpError {
  return new HttpError(409, 'RUN_CLOSED', `The run with key "${key}" ended before the request reached it`);
}
