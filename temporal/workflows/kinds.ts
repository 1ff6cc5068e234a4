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

/** A run's static summary, which the Web UI shows in the run list and on its page: the kind and the start of its
 *  data on one line, as inline code so nothing in the data renders as markdown (a link, say). Encrypted with the
 *  other payloads when encryption is on. */
export function staticSummary(kind: WorkflowKind, input: { data?: unknown }): string {
  const text = String(input.data ?? '');
  // By code point, so a cut never splits a character in two.
  const data = Array.from(text.replace(/\s+/g, ' ').trim().replaceAll('`', "'"));
  if (data.length === 0) return kind;
  return `${kind}: \`${data.slice(0, 40).join('')}${data.length > 40 ? '…' : ''}\``;
}
