// The Idempotency-Key of a saga step: workflow id, run id and step name, the same on every retry of the step.
// Not the SDK's activity id: a per-run sequence number, it repeats across continue-as-new and reused ids.
import { Context } from '@temporalio/activity';
import type { z } from 'zod';
import { callService } from './call-service.ts';
import type { ServiceClient } from './service-clients.ts';

export function idempotencyKey(step: string): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('an idempotency key needs the activity to run inside a workflow');
  return `${execution.workflowId}/${execution.runId}/${step}`;
}

/** What a step of this run created on `client`, found by the step's Idempotency-Key: how a compensation finds
 *  what to undo even when the step applied its change but never answered. */
export async function createdByStep<T>(client: ServiceClient, collection: string, step: string, list: z.ZodType<{ items: T[] }>): Promise<T | undefined> {
  const path = `/${collection}?createdByKey=${encodeURIComponent(idempotencyKey(step))}`;
  return (await callService(client, 'GET', path, { response: list })).items[0];
}
