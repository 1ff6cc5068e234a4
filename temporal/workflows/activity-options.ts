// Timeouts and retry policies of every activity, each with the reason for its value. One rule for
// outages holds at every step: a service that is down or failing is retried with the backoff of
// retry-policy.ts until the run's outage limit has passed (default 2 minutes), then the step fails
// with a ServiceUnavailable failure naming the service (see outage.ts). Every call goes to the task queue
// of the service it calls (task-queues.ts), where that service's worker polls; runs started before that
// rule keep calling on their own queue, where a worker of role `all` still serves them.
import { ActivityCancellationType, type ActivityOptions, workflowInfo } from '@temporalio/workflow';
import type { ServiceName } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';
import { attemptsToRideOut, BACKOFF_COEFFICIENT, INITIAL_INTERVAL_MS, MAXIMUM_INTERVAL_MS } from '../retry-policy.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { serviceTaskQueue } from './task-queues.ts';

/** Calls heartbeat every second while they wait: this much silence means the worker died. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

/** Where a run's calls go: its own queue, and whether each service has its own beside it. */
export interface Routing {
  workflowTaskQueue: string;
  perServiceQueues: boolean;
}

/** Asked once per run, at the same point of its code on every replay. */
function routingOfThisRun(): Routing {
  return { workflowTaskQueue: workflowInfo().taskQueue, perServiceQueues: takesPatch(PATCHES.serviceQueues) };
}

/** `routing`: tests that check the options outside a workflow pass one. */
export function activityOptions(outageLimitMs: number, routing: Routing = routingOfThisRun()) {
  const queueOf = (service: ServiceName) => (routing.perServiceQueues ? serviceTaskQueue(routing.workflowTaskQueue, service) : routing.workflowTaskQueue);
  const retry = {
    initialInterval: INITIAL_INTERVAL_MS,
    backoffCoefficient: BACKOFF_COEFFICIENT,
    maximumInterval: MAXIMUM_INTERVAL_MS,
    // Enough attempts that the last starts at least the outage limit after the first; attempts only
    // count while a worker runs them, so a stopped worker does not eat into the limit.
    maximumAttempts: attemptsToRideOut(outageLimitMs),
  };
  const common = {
    retry,
    // The attempt of a dead worker is retried elsewhere without waiting for start-to-close. (A ping's
    // start-to-close is as short, so there it only keeps the options uniform.)
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    // Cancelling a run waits until the running call has really been aborted, so a run is never
    // reported cancelled while its HTTP request is still in flight.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  } satisfies ActivityOptions;
  // A ping has a 2 s HTTP timeout; 5 s leaves the activity room to report it.
  const health = (service: ServiceName) => ({ ...common, taskQueue: queueOf(service), startToCloseTimeout: '5s' }) satisfies ActivityOptions;
  const compensation = (service: ServiceName) =>
    ({
      ...common,
      taskQueue: queueOf(service),
      startToCloseTimeout: '10s',
      // An undo must not give up: it is retried, with the same backoff, until the service takes it
      // (no maximumAttempts: unlimited).
      retry: { initialInterval: retry.initialInterval, backoffCoefficient: retry.backoffCoefficient, maximumInterval: retry.maximumInterval },
    }) satisfies ActivityOptions;
  return {
    health: { 'server-a': health('server-a'), 'server-b': health('server-b') },
    serverA: {
      ...common,
      taskQueue: queueOf('server-a'),
      // One HTTP call with an 8 s client timeout; 10 s leaves the activity room to report it.
      startToCloseTimeout: '10s',
    },
    serverB: {
      ...common,
      taskQueue: queueOf('server-b'),
      startToCloseTimeout: '10s',
    },
    enrich: {
      ...common,
      taskQueue: queueOf('server-b'),
      startToCloseTimeout: '10s',
      // The step with a fallback (multi-server.ts): an open circuit breaker for Server B reaches the workflow at
      // once, which takes the default enrichment; every other outage is retried as at any step.
      retry: { ...retry, nonRetryableErrorTypes: [FailureType.circuitOpen] },
    },
    compensation: { 'server-a': compensation('server-a'), 'server-b': compensation('server-b') },
    thirdParty: {
      ...common,
      taskQueue: queueOf('server-b'),
      // The simulated third party may take up to 20 s and gets a 25 s HTTP timeout.
      startToCloseTimeout: '30s',
    },
  } satisfies Record<string, ActivityOptions | Record<ServiceName, ActivityOptions>>;
}
