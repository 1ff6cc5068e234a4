// What a client is told about runs, as zod schemas (each name is the schema and its type): the workflow API's answers and `status --json`.
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import { RUN_KIND_NAMES } from '../run-kinds.ts';
import { BatchProgress as WorkflowBatchProgress } from '../workflows/batch.ts';
import { ReviewStatus as WorkflowReviewStatus } from '../workflows/review.ts';
import { StepName, Progress as WorkflowProgress } from '../workflows/steps.ts';

const time = z.iso.datetime();
/** Which run: the workflow id (the caller's key, in the API) and the id of the run under it. */
const ids = { workflowId: z.string(), runId: z.string() };

export const RunKind = z
  .enum(RUN_KIND_NAMES)
  .meta({ id: 'Kind', description: 'Which workflow to start: a kind of temporal/run-kinds.ts (each workflow kind, and batch).' });

const ExecutionStatusName = z.enum([
  ...['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  ...['TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'PAUSED', 'UNKNOWN'],
] as const) satisfies z.ZodType<WorkflowExecutionStatusName>;

const Progress = WorkflowProgress.meta({ id: 'Progress', description: 'The `progress` query of every kind but batch.' });
const BatchProgress = WorkflowBatchProgress.meta({
  id: 'BatchProgress',
  description: 'The `batchProgress` query of a batch; counts cover the whole batch, across continue-as-new.',
});
const ReviewStatus = WorkflowReviewStatus.meta({ id: 'ReviewStatus', description: "A publish run's review (the `review` query)." });

export const RunFailure = z
  .object({
    category: z.enum(['business', 'technical', 'cancelled']),
    type: z.string().meta({ description: 'A FailureType of temporal/failure-types.ts, or Cancelled, Terminated, TimedOut.' }),
    message: z.string(),
    step: StepName.nullable().meta({ description: 'The step the run stopped at; null when it stopped before any (a bad input) or nothing says.' }),
    details: z.array(z.unknown()).meta({ description: "The failure's details: ValidationFailed lists the issues, InvalidWorkflowInput the fields at fault." }),
  })
  .meta({
    id: 'RunFailure',
    description:
      'How a run that closed without a result failed. business: the data, the input or a reviewer said no (ValidationFailed, InvalidWorkflowInput, ' +
      'ReviewRejected): retrying the same input gives the same answer, nobody needs paging. technical: the system failed the run (ServiceUnavailable, ' +
      'CompensationFailed, TimedOut, Terminated, BadResponse, …): someone should look. cancelled: someone asked the run to stop, and it did.',
  });
export type RunFailure = z.infer<typeof RunFailure>;

const progress = z
  .union([Progress, BatchProgress])
  .nullable()
  .meta({ description: 'The `progress` query (a batch: `batchProgress`); null when no worker answered in time.' });
const review = ReviewStatus.nullable().meta({ description: 'Publish runs only; null for the other kinds, or when no worker answered in time.' });

export const RunSnapshot = z
  .object({ progress, review })
  .meta({ id: 'RunSnapshot', description: 'The live part of a run: the event stream sends one whenever it changes (event `progress`).' });
export type RunSnapshot = z.infer<typeof RunSnapshot>;

export const RunDescription = z
  .object({
    ...ids,
    kind: RunKind.nullable().meta({ description: 'The kind it was started as; null for a workflow type no kind starts.' }),
    type: z.string().meta({ description: 'The workflow type.', examples: ['publishWorkflow'] }),
    status: ExecutionStatusName.meta({ description: "Temporal's status of the run: RUNNING until it closes." }),
    startTime: time,
    closeTime: time.nullable(),
    summary: z
      .string()
      .nullable()
      .meta({ description: "The run's static summary, as the Web UI shows it: the kind and the start of its data; null when it has none." }),
    progress,
    review,
    // Each workflow owns its result's shape; a client is promised the field that says which workflow it is.
    result: z
      .looseObject({ workflow: z.string().meta({ examples: ['publishWorkflow'] }) })
      .nullable()
      .meta({ description: "What a completed run returned: its workflow's result (a publish run's `outcome` says published or rejected); null otherwise." }),
    failure: RunFailure.nullable().meta({ description: 'How a run that closed without a result failed; null while it runs and when it completed.' }),
  })
  .meta({ id: 'RunDescription', description: "A run's state: GET /workflows/{key}, the event stream's last event, and `client.ts status --json`." });
export type RunDescription = z.infer<typeof RunDescription>;

export const StartedRun = z
  .object({
    ...ids,
    kind: RunKind,
    type: z.string(),
    created: z.boolean().meta({ description: 'false: a run of this kind was running under the key already, and this is it.' }),
  })
  .meta({ id: 'StartedRun' });
export type StartedRun = z.infer<typeof StartedRun>;

export const DecisionAnswer = z
  .object({ workflowId: z.string(), review: ReviewStatus })
  .meta({ id: 'DecisionAnswer', description: 'The review as it now stands.' });
export type DecisionAnswer = z.infer<typeof DecisionAnswer>;

export const CancelAnswer = z
  .object({ ...ids, cancelRequested: z.literal(true) })
  .meta({ id: 'CancelAnswer', description: 'The run stops once its worker has handled the request: GET it, or follow its events, to see when.' });
export type CancelAnswer = z.infer<typeof CancelAnswer>;

export const RunRow = z
  .object({
    ...ids,
    type: z.string(),
    status: z.string().meta({ description: 'As a visibility query spells it: Running, Completed, Failed, Canceled, Terminated, TimedOut, ContinuedAsNew.' }),
    startTime: time,
    closeTime: time.nullable(),
    dataCategory: z.string().nullable(),
    currentStep: z.string().nullable(),
    reviewState: z.string().nullable(),
  })
  .meta({ id: 'RunRow', description: 'One run as `list` shows it, with the search attributes it has set.' });
export type RunRow = z.infer<typeof RunRow>;

export const RunList = z
  .object({
    query: z.string().meta({ description: "The visibility query it ran: it works in the Web UI's search box and in `temporal workflow list --query`." }),
    items: z.array(RunRow),
  })
  .meta({ id: 'RunList' });
export type RunList = z.infer<typeof RunList>;
