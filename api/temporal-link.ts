// The API's connection to Temporal, and what a failed call answers. It connects in the background: a web
// backend must not crash or refuse to start because a dependency is down, so it answers 503 naming Temporal
// until connected (then the SDK reconnects by itself).
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { Client, Connection, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import type { Config } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { dataConverterFor } from '../temporal/codec/data-converter.ts';
import { connectionOptions } from '../temporal/connection-options.ts';
import { causeChain } from '../temporal/failure-chain.ts';
import { probeTcp } from '../temporal/probe-tcp.ts';
import { RPC_DEADLINE_MS } from '../temporal/runs/describe-run.ts';

/** How often to try again while Temporal is away: ready soon after it starts, without hammering it. */
const RECONNECT_INTERVAL_MS = 2_000;
/** One attempt's gRPC handshake, once the probe has found the port open (a refused port is known at once). */
const CONNECT_TIMEOUT_MS = 5_000;
/** While Temporal stays away, a reminder in the log every this many attempts (a minute), not a line per attempt. */
const REMIND_EVERY = 30;

export interface TemporalLink {
  /** The connected client; throws the 503 answer while there is none yet. */
  client(): Client;
  state(): 'connected' | 'connecting';
  close(): Promise<void>;
}

/** What every route gets: the link, and where runs are started (the task queue the worker polls) and looked up. */
export interface ApiContext {
  temporal: TemporalLink;
  namespace: string;
  taskQueue: string;
}

export function connectInBackground(config: Config, logger: Logger): TemporalLink {
  const { address, namespace } = config.temporal;
  const stop = new AbortController();
  let connection: Connection | undefined;
  let client: Client | undefined;
  const connecting = (async () => {
    for (let attempt = 1; !stop.signal.aborted; attempt++) {
      try {
        const probe = await probeTcp(address);
        if (probe !== 'open') throw new Error(probe);
        connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: CONNECT_TIMEOUT_MS });
        client = new Client({ connection, namespace, dataConverter: dataConverterFor(config.codec.keys) });
        logger.info({ address, namespace, attempt }, 'connected to Temporal');
        return;
      } catch (error) {
        if (attempt === 1 || attempt % REMIND_EVERY === 0) {
          logger.warn(
            { address, attempt, error: firstLine(error) },
            `Temporal does not answer at ${address}: answering 503 until it does, trying again every ${RECONNECT_INTERVAL_MS / 1000} s`,
          );
        }
      }
      await sleep(RECONNECT_INTERVAL_MS, undefined, { signal: stop.signal }).catch(() => {});
    }
  })();
  return {
    client() {
      if (client) return client;
      throw unavailable(`Temporal does not answer at ${address} yet; the API keeps trying to connect. Retry shortly.`, RECONNECT_INTERVAL_MS / 1000);
    },
    state: () => (client ? 'connected' : 'connecting'),
    async close() {
      stop.abort();
      await connecting;
      await connection?.close();
    },
  };
}

/** The answer for a failed call: an HttpError as it is, Temporal out of reach as a 503, anything else unchanged. */
export function answerFor(error: unknown, namespace: string): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof NamespaceNotFoundError) {
    return unavailable(`The namespace "${namespace}" does not exist on the Temporal server: check TEMPORAL_NAMESPACE`);
  }
  if (isGrpcDeadlineError(error)) return unavailable(`Temporal did not answer within ${RPC_DEADLINE_MS / 1000} s; retry shortly`, 2);
  // The SDK passes a gRPC error on, or wraps it (ServiceError): its status is in the cause chain.
  const code = causeChain(error).find(isGrpcServiceError)?.code;
  if (code === status.UNAVAILABLE || code === status.RESOURCE_EXHAUSTED) return unavailable(`Temporal is unavailable (${firstLine(error)}); retry shortly`, 2);
  // The API's own credentials, not the caller's request: no retry helps until its configuration is fixed.
  if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED) {
    const fix = `check its TEMPORAL_API_KEY, TLS settings or profile, and its rights on the namespace "${namespace}"`;
    return unavailable(`Temporal refused the API (${firstLine(error)}): ${fix}`);
  }
  return error;
}

/** A 503 UPSTREAM_UNAVAILABLE, with the seconds after which a retry may help, when one may. */
export function unavailable(message: string, retryAfterSeconds?: number): HttpError {
  return new HttpError(503, 'UPSTREAM_UNAVAILABLE', message, retryAfterSeconds ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {});
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

export function notFound(namespace: string, key: string): never {
  const message = `No run with key "${key}" in namespace "${namespace}" (a closed run is deleted once the namespace's retention has passed)`;
  throw new HttpError(404, 'NOT_FOUND', message);
}
