// POST /workflows/{kind}/{key}: starts a run of that kind with the caller's business key as its workflow
// id, the body as its input (checked first, by the workflow's own rules).
//
// The id policies, and why:
// - workflowIdConflictPolicy FAIL while a run with the key is open. The server then says so (ALREADY_EXISTS)
//   and this route answers with that run: 200, created false, when it is of the kind asked for, so a
//   retried POST (its first answer lost) gets the run it started; 409 KEY_IN_USE when it is another
//   kind. USE_EXISTING would hand back the existing run in the same call, but the SDK does not pass on
//   whether the call started it, and it cannot tell the kinds apart: the run would need describing anyway.
// - workflowIdReusePolicy REJECT_DUPLICATE once it has closed: a key starts one run. A second POST is a
//   409 KEY_ALREADY_USED naming how the first ended, whether it completed, failed or was cancelled (a run
//   to retry needs a new key; its history stays readable under the old one). The closed run is kept for
//   the namespace's retention (24 h on the dev server, 72 h for a namespace created with `temporal
//   operator namespace create`, as Docker Compose does); after that it is deleted, GET answers 404, and
//   the key starts a new run.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Route } from '../shared/service/create-app.ts';
import { bodyObject, HttpError, type JsonObject } from '../shared/service/http-error.ts';
import { Reply } from '../shared/service/reply.ts';
import { RUN_KINDS, type RunKind } from '../temporal/runs/kinds.ts';
import type { StartedRun } from '../temporal/runs/types.ts';
import type { InputIssue } from '../temporal/workflows/input.ts';
import type { ApiContext } from './context.ts';
import { keyParam, kindParam } from './params.ts';
import { within } from './temporal-calls.ts';

export function startRoute(ctx: ApiContext): Route {
  return {
    method: 'POST',
    path: '/workflows/:kind/:key',
    handle: async (raw, req): Promise<Reply | StartedRun> => {
      const kind = kindParam(req);
      const key = keyParam(req);
      const input = bodyObject(raw);
      const { workflow, issues } = RUN_KINDS[kind];
      const problems = issues(input);
      if (problems.length > 0) throw inputRefused(kind, input, problems);
      const client = ctx.temporal.client();
      try {
        const handle = await within(client, () =>
          client.workflow.start(workflow, {
            taskQueue: ctx.taskQueue,
            workflowId: key,
            args: [input],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          }),
        );
        return new Reply(201, { workflowId: key, runId: handle.firstExecutionRunId, kind, type: workflow.name, created: true } satisfies StartedRun);
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return existingRun(ctx, key, kind);
    },
  };
}

/** The run that holds the key: itself when it is open and of the kind asked for, else the 409 that says why not. */
async function existingRun(ctx: ApiContext, key: string, kind: RunKind): Promise<StartedRun> {
  const client = ctx.temporal.client();
  const info = await within(client, () => client.workflow.getHandle(key).describe()).catch((error: unknown) => {
    // Deleted between the two calls: only a run past its retention is, and then the key is free again.
    if (error instanceof WorkflowNotFoundError) throw new HttpError(409, 'KEY_IN_USE', `The run with key "${key}" changed while starting; retry`);
    throw error;
  });
  const wanted = RUN_KINDS[kind].workflow.name;
  if (info.status.name !== 'RUNNING') {
    throw new HttpError(
      409,
      'KEY_ALREADY_USED',
      `Key "${key}" was used by a ${info.type} run that ended ${info.status.name} at ${info.closeTime?.toISOString()}; a key starts one run. ` +
        `The run is kept for the namespace "${ctx.namespace}"'s retention, and GET /workflows/${key} shows it: start again under a new key.`,
    );
  }
  if (info.type !== wanted) {
    throw new HttpError(409, 'KEY_IN_USE', `Key "${key}" is in use by a running ${info.type} run (${info.runId}); it cannot also start a ${wanted} run`);
  }
  return { workflowId: key, runId: info.runId, kind, type: info.type, created: false };
}

/** The 400 for an input the workflow would refuse: every problem in the message, the first one's field named. */
function inputRefused(kind: RunKind, input: JsonObject, issues: InputIssue[]): HttpError {
  const field = issues[0]!.field;
  const missing = /^\w+$/.test(field) && input[field] === undefined;
  return new HttpError(400, missing ? 'MISSING_FIELD' : 'INVALID_FIELD', `Invalid input for a ${kind} run: ${issues.map((i) => i.message).join('; ')}`, {
    field,
  });
}
