// The multi-server workflow's chain of service calls without Temporal: the same activities, requests and order,
// in this process. The difference to the workflow is what the orchestration costs.
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ServiceName } from '../../shared/contract.ts';
import { createActivities } from '../../temporal/activities/index.ts';
import { createServiceClients } from '../../temporal/activities/service-clients.ts';

/** validate, health-check, process-internal, process-external and enrich; combine calls no service. */
export const MULTI_SERVER_SERVICE_STEPS = 5;

export function directChain(urls: Record<ServiceName, string>, token: string | undefined): (data: string) => Promise<void> {
  const activities = createActivities(createServiceClients(urls, token));
  // A silent logger: the activities log every call, which the workflow's worker writes elsewhere.
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const env = new MockActivityEnvironment(undefined, { logger: silent });
  return (data) =>
    env.run(async () => {
      await activities.validateData({ data });
      await Promise.all([activities.checkHealth('server-a'), activities.checkHealth('server-b')]);
      const internal = await activities.processInternal({ data });
      const external = await activities.processExternal({ data, contentHash: internal.contentHash });
      await activities.enrichData({ data, reference: external.reference });
    });
}
