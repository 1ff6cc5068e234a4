// GET /workflows/{key}/events: a run as Server-Sent Events, for a browser's EventSource (the document,
// openapi.ts, says which events come when). While the run runs, its queries are asked a few times a
// second; the watch stops as soon as the client goes away: no query is asked for nobody.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import type { Response } from 'express';
import { clientGone, type Route } from '../shared/service/create-app.ts';
import { HttpError, parseRequest } from '../shared/service/http-error.ts';
import type { RunDescription, RunSnapshot } from '../temporal/runs/contract.ts';
import { describeRun, isClosed, runSnapshot } from '../temporal/runs/describe-run.ts';
import { KeyParams } from './contract.ts';
import { type ApiContext, notFound } from './temporal-link.ts';

/** The events' names: `progress` while it runs, `outcome` once at the end, `error` if Temporal is lost. */
export const RUN_EVENTS = { progress: 'progress', outcome: 'outcome', error: 'error' } as const;

export const EVENT_STREAM_DEFAULTS = {
  /** How often a running run's queries are asked: steps take tens of milliseconds and up, a person sees a quarter second. */
  pollMs: 250,
  /** A comment this often: proxies and load balancers close a connection that stays quiet for 30 to 60 s. */
  heartbeatMs: 15_000,
  /** Streams open at once. Each asks Temporal (and a worker) a few queries a second; past this a new one is refused (503). */
  maxStreams: 100,
};
export type EventStreamOptions = typeof EVENT_STREAM_DEFAULTS;

export function eventsRoute(ctx: ApiContext, options: EventStreamOptions, stopping?: AbortSignal): { route: Route; openStreams: () => number } {
  let open = 0;
  const route: Route = {
    method: 'GET',
    path: '/workflows/:key/events',
    handle: async (_raw, req, res) => {
      const { key } = parseRequest(KeyParams, req.params, 'path');
      const client = ctx.temporal.client();
      // Looked up before the stream starts, so an unknown key is an ordinary 404.
      const run = (await describeRun(client, key)) ?? notFound(ctx.namespace, key);
      if (open >= options.maxStreams) {
        throw new HttpError(503, 'SATURATED', `${options.maxStreams} event streams are open already; retry later, or GET /workflows/${key}`, {
          headers: { 'Retry-After': '5' },
        });
      }
      open++;
      const stop = stopping ? AbortSignal.any([clientGone(req), stopping]) : clientGone(req);
      try {
        await stream(client, run, res, stop, options);
      } finally {
        open--;
      }
    },
  };
  return { route, openStreams: () => open };
}

async function stream(client: Client, run: RunDescription, res: Response, stop: AbortSignal, options: EventStreamOptions): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
  try {
    if (isClosed(run.status)) {
      send(RUN_EVENTS.outcome, run);
      return;
    }
    const first: RunSnapshot = { progress: run.progress, review: run.review };
    let last = JSON.stringify(first);
    send(RUN_EVENTS.progress, first);
    // The run's end interrupts the sleep through a signal, whose reason says how it ended: racing the same
    // pending promise every 250 ms would keep a reaction per round on it for as long as the run lasts (days, for a review).
    const ended = new AbortController();
    void watchEnd(client, run, stop).then((how) => ended.abort(how));
    const wake = AbortSignal.any([stop, ended.signal]);
    while (!wake.aborted) {
      await sleep(options.pollMs, undefined, { signal: wake }).catch(() => {});
      if (stop.aborted) return;
      const snapshot = await runSnapshot(client, run.workflowId, run.type, stop);
      const text = JSON.stringify(snapshot);
      // No answer (no worker in time) is no news: the last answer stands.
      if (snapshot.progress !== null && text !== last && !stop.aborted) {
        last = text;
        send(RUN_EVENTS.progress, snapshot);
      }
    }
    if (stop.aborted) return;
    const outcome = ended.signal.reason === 'closed' ? await describeRun(client, run.workflowId).catch(() => undefined) : undefined;
    if (outcome) send(RUN_EVENTS.outcome, outcome);
    else
      send(RUN_EVENTS.error, { error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Lost contact with Temporal while watching the run; GET it again shortly' } });
  } catch {
    // Nothing can be said once the stream has begun but its end: the client reconnects or GETs the run.
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

/** Resolves when the run (and any run it continued as new into) has closed, or contact with Temporal is lost. */
async function watchEnd(client: Client, run: RunDescription, stop: AbortSignal): Promise<'closed' | 'lost'> {
  try {
    // One long poll on the run's close event, cancelled when the client goes away.
    await client.connection.withAbortSignal(stop, () => client.workflow.getHandle(run.workflowId, run.runId).result());
    return 'closed';
  } catch (error) {
    return error instanceof WorkflowFailedError ? 'closed' : 'lost';
  }
}
