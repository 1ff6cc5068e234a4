// POST /workflows/{kind}/{key}: starts a run of that kind, the caller's business key as its workflow id and
// the body as its input (checked first, by the workflow's own check). One key, one run: the id policies and
// why not USE_EXISTING are in docs/workflow-api.md; openapi.ts says what each answer means.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { type Route, Reply } from '../shared/service/create-app.ts';
import { HttpError, parseRequest } from '../shared/service/http-error.ts';
import { RUN_KINDS, type RunKind, startWorkflow } from '../temporal/run-kinds.ts';
import type { StartedRun } from '../temporal/runs/contract.ts';
import { describeExecution, within } from '../temporal/runs/describe-run.ts';
import { StartBody, StartParams } from './contract.ts';
import type { ApiContext } from './temporal-link.ts';

const ONE_RUN_PER_KEY = { workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL, workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE };

export function startRoute(ctx: ApiContext): Route {
  return {
    method: 'POST',
    path: '/workflows/:kind/:key',
    handle: async (raw, req): Promise<Reply | StartedRun> => {
      const { kind, key } = parseRequest(StartParams, req.params, 'path');
      const input = parseRequest(StartBody, raw);
      const { workflow, issues } = RUN_KINDS[kind];
      const problems = issues(input);
      if (problems.length > 0) {
        // Every problem in the message, the first one's field named.
        const { field } = problems[0]!;
        const code = /^\w+$/.test(field) && input[field] === undefined ? 'MISSING_FIELD' : 'INVALID_FIELD';
        throw new HttpError(400, code, `Invalid input for a ${kind} run: ${problems.map((i) => i.message).join('; ')}`, { field });
      }
      const client = ctx.temporal.client();
      try {
        const handle = await within(client, () => startWorkflow(client, kind, { taskQueue: ctx.taskQueue, workflowId: key, ...ONE_RUN_PER_KEY }, input));
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
  const info = await describeExecution(client, key);
  // Deleted between the two calls: only a run past its retention is, and then the key is free again.
  if (!info) throw new HttpError(409, 'KEY_IN_USE', `The run with key "${key}" changed while starting; retry`);
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
