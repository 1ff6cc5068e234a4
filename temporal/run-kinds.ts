// Every kind of run a client starts by name, with its input check; the batch is added here, as it starts the workflow kinds as children.
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { z } from 'zod';
import { BatchInput, batchInputIssues, batchWorkflow } from './workflows/batch.ts';
import { type InputIssue, inputIssues } from './workflows/input.ts';
import { staticSummary as kindSummary, WORKFLOW_KINDS, type WorkflowKind } from './workflows/kinds.ts';

export type RunKind = WorkflowKind | 'batch';

export interface RunKindEntry {
  workflow: Workflow;
  idPrefix: string;
  description: string;
  /** The workflow's input schema (the API documents its request bodies from it). */
  input: z.ZodObject;
  /** Every problem with `input` as this workflow's input, in the words the run would fail with; empty when it is valid. */
  issues: (input: unknown) => InputIssue[];
}

/** A workflow kind with its input check; the compiler holds RUN_KINDS to every kind. */
function kindEntry(kind: WorkflowKind): RunKindEntry {
  const entry = WORKFLOW_KINDS[kind];
  return { ...entry, issues: (raw) => inputIssues(entry.input, raw, entry.workflow.name) };
}

export const RUN_KINDS: Record<RunKind, RunKindEntry> = {
  multi: kindEntry('multi'),
  simple: kindEntry('simple'),
  publish: kindEntry('publish'),
  adaptive: kindEntry('adaptive'),
  batch: {
    workflow: batchWorkflow,
    idPrefix: 'batch',
    input: BatchInput,
    description: 'one child workflow of a kind per item, a few at a time',
    issues: batchInputIssues,
  },
};

export const RUN_KIND_NAMES = Object.keys(RUN_KINDS) as RunKind[];

/** The kind that starts workflows of `type`; null for a type no kind starts. */
export function kindOfType(type: string): RunKind | null {
  return RUN_KIND_NAMES.find((kind) => RUN_KINDS[kind].workflow.name === type) ?? null;
}

/** A run's static summary (workflows/kinds.ts); a batch's names its size and kind. */
export function staticSummary(kind: RunKind, input: unknown): string {
  if (kind !== 'batch') return kindSummary(kind, input as { data?: unknown });
  const { kind: of, items } = input as BatchInput;
  return `batch of ${items.length} ${of} run${items.length === 1 ? '' : 's'}`;
}

/** Starts a run of `kind` with its static summary: the CLI, the API and the scripts start runs here. */
export function startWorkflow(client: Client, kind: RunKind, options: Omit<WorkflowStartOptions, 'args' | 'staticSummary'>, input: unknown) {
  return client.workflow.start(RUN_KINDS[kind].workflow, { ...options, args: [input], staticSummary: staticSummary(kind, input) });
}
