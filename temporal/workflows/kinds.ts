// One table of the workflows a client can start: the CLI, the benchmarks and the tests all start runs
// through it, by function (typed input and result), never by a type name typed as a string.
import { adaptiveWorkflow } from './adaptive.ts';
import { multiServerWorkflow } from './multi-server.ts';
import { publishWorkflow } from './publish.ts';
import { simpleWorkflow } from './simple.ts';

export const WORKFLOW_KINDS = {
  multi: { workflow: multiServerWorkflow, idPrefix: 'multi-server', description: 'health checks, Server A, Server B, combine' },
  simple: { workflow: simpleWorkflow, idPrefix: 'simple', description: 'validate and process on Server A only' },
  publish: {
    workflow: publishWorkflow,
    idPrefix: 'publish',
    description: 'saga: reserve a record on A, publish on B, commit on A; undone on failure',
  },
  adaptive: { workflow: adaptiveWorkflow, idPrefix: 'adaptive', description: "steps decided as it runs: the data's category and the step results add them" },
} as const;

export type WorkflowKind = keyof typeof WORKFLOW_KINDS;
export const KIND_NAMES = Object.keys(WORKFLOW_KINDS) as WorkflowKind[];
