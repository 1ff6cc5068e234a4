// The single-server workflow: validate and process on Server A only.
import { proxyActivities } from '@temporalio/workflow';
import type { ServerAActivities } from '../activities/types.ts';
import { assertValid } from '../failure-types.ts';
import { SERVICE_CALL } from './activity-options.ts';
import { parseInput, WorkflowInput } from './input.ts';
import { elapsedMs, plan, timings } from './steps.ts';

const { validateData, processInternal } = proxyActivities<ServerAActivities>(SERVICE_CALL);

export async function simpleWorkflow(raw: WorkflowInput) {
  const input = parseInput(WorkflowInput, raw, 'simpleWorkflow');
  const { data, metadata } = input;
  plan('validate', 'process-internal');

  const validation = assertValid(await validateData({ data, metadata }));
  const internal = await processInternal({ data, metadata });

  const { normalized, wordCount, characterCount, contentHash } = internal;
  const summary = { normalized, wordCount, characterCount, contentHash, servers: ['server-a'] as ['server-a'], totalDurationMs: elapsedMs() };
  return { workflow: 'simpleWorkflow' as const, input, validation, internal, summary, timings: timings() };
}

export type SimpleResult = Awaited<ReturnType<typeof simpleWorkflow>>;
