// Timeouts and retry policies of every activity, each with the reason for its value.
import type { ActivityOptions } from '@temporalio/workflow';
import type { RetryTuning } from './types.ts';

export function activityOptions(tuning: RetryTuning = {}) {
  const backoff = {
    // First retry after 1 s: most failures of a local service are blips.
    initialInterval: tuning.initialInterval ?? '1s',
    // Double the wait each time, so a struggling service is not hammered...
    backoffCoefficient: 2,
    // ...but never wait more than 10 s, so a restarted service is picked up quickly.
    maximumInterval: tuning.maximumInterval ?? '10s',
  };
  return {
    health: {
      // A ping answers in milliseconds; 5 s without one means the server is not healthy.
      startToCloseTimeout: '5s',
      // Five attempts (about 15 s with the default backoff) ride out a service that is still starting,
      // then the workflow fails with a clear message instead of waiting on a dead server.
      retry: { ...backoff, maximumAttempts: 5 },
    },
    serverA: {
      // One HTTP call with an 8 s client timeout; 10 s leaves the activity room to report it.
      startToCloseTimeout: '10s',
      // Unlimited attempts, but give up on Server A after 5 minutes in total.
      scheduleToCloseTimeout: '5m',
      retry: backoff,
    },
    serverB: {
      startToCloseTimeout: '10s',
      // Server B is the "remote" service: ride out an outage of up to 10 minutes (stop it, restart it).
      scheduleToCloseTimeout: '10m',
      retry: backoff,
    },
    thirdParty: {
      // The simulated third party may take up to 20 s; the HTTP timeout is 25 s.
      startToCloseTimeout: '30s',
      // The activity heartbeats every 2 s while waiting; 10 s of silence means the worker died.
      heartbeatTimeout: '10s',
      scheduleToCloseTimeout: '5m',
      retry: backoff,
    },
  } satisfies Record<string, ActivityOptions>;
}
