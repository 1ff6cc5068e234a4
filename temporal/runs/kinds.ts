// The workflows a caller can start by name: every kind of the table (workflows/kinds.ts), whatever it
// holds, plus the batch. Each with the check its workflow applies to its input (workflows/input.ts), so
// a starter can refuse a bad input before the run exists, with the same words the run would fail with.
import type { Workflow } from '@temporalio/common';
import { batchWorkflow } from '../workflows/batch.ts';
import { batchInputIssues, type InputIssue, inputIssues } from '../workflows/input.ts';
import { KIND_NAMES, WORKFLOW_KINDS, type WorkflowKind } from '../workflows/kinds.ts';
import type { WorkflowName } from '../workflows/types.ts';

export type RunKind = WorkflowKind | 'batch';

export interface RunKindEntry {
  /** Started by this function, never by a type name typed as a string. */
  workflow: Workflow;
  description: string;
  /** Every problem with `input` as this workflow's input; empty when it is valid. */
  issues: (input: unknown) => InputIssue[];
}

const tableKinds = KIND_NAMES.map((kind): [RunKind, RunKindEntry] => {
  const { workflow, description } = WORKFLOW_KINDS[kind];
  return [kind, { workflow, description, issues: (input) => inputIssues(input, workflow.name as WorkflowName) }];
});

export const RUN_KINDS = Object.fromEntries([
  ...tableKinds,
  ['batch', { workflow: batchWorkflow, description: 'one child workflow of a kind per item, a few at a time', issues: batchInputIssues }],
]) as Record<RunKind, RunKindEntry>;

export const RUN_KIND_NAMES = Object.keys(RUN_KINDS) as RunKind[];

export function isRunKind(name: string): name is RunKind {
  return Object.hasOwn(RUN_KINDS, name);
}

/** The kind that starts workflows of `type`; null for a type no kind starts. */
export function kindOfType(type: string): RunKind | null {
  return RUN_KIND_NAMES.find((kind) => RUN_KINDS[kind].workflow.name === type) ?? null;
}
