// The workflows a client starts by kind, and a batch runs one of per item: each by function (typed input and
// result, never a type name as a string), with its id prefix and input schema. run-kinds.ts adds the batch.
import { adaptiveWorkflow } from './adaptive.ts';
import { WorkflowInput } from './input.ts';
import { MultiServerInput, multiServerWorkflow } from './multi-server.ts';
import { PublishInput, publishWorkflow } from './publish.ts';
import { simpleWorkflow } from './simple.ts';

export const WORKFLOW_KINDS = {
  multi: { workflow: multiServerWorkflow, idPrefix: 'multi-server', input: MultiServerInput, description: 'health checks, Server A, Server B, combine' },
  simple: { workflow: simpleWorkflow, idPrefix: 'simple', input: WorkflowInput, description: 'validate and process on Server A only' },
  publish: {
    workflow: publishWorkflow,
    idPrefix: 'publish',
    input: PublishInput,
    description: 'saga: reserve a record on A, publish on B, commit on A; undone on failure',
  },
  adaptive: {
    workflow: adaptiveWorkflow,
    idPrefix: 'adaptive',
    input: WorkflowInput,
    description: "steps decided as it runs: the data's category and the step results add them",
  },
} as const;

export type WorkflowKind = keyof typeof WORKFLOW_KINDS;
export const KIND_NAMES = Object.keys(WORKFLOW_KINDS) as WorkflowKind[];
/** What any of them returns. */
export type WorkflowResult = Awaited<ReturnType<(typeof WORKFLOW_KINDS)[WorkflowKind]['workflow']>>;
