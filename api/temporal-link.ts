// The API's connection to Temporal, made in the background: the API listens from its first second
// (/ping and /status answer), and everything that needs Temporal is answered 503, naming it, until
// Temporal answers. A web backend must not crash, or refuse to start, because a dependency is down;
// once connected, the SDK's connection reconnects by itself.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { HttpError } from '../shared/service/http-error.ts';
import { dataConverterFor } from '../temporal/codec/data-converter.ts';
import { connectionOptions } from '../temporal/connection-options.ts';
import { probeTcp } from '../temporal/probe-tcp.ts';

/** How often to try again while Temporal is away: ready soon after it starts, without hammering it. */
export const RECONNECT_INTERVAL_MS = 2_000;
/** One attempt's gRPC handshake, once the port is known to be open (a refused port is known at once by the probe). */
const CONNECT_TIMEOUT_MS = 5_000;
/** While Temporal stays away, a reminder in the log every this many attempts (a minute), not a line per attempt. */
const REMIND_EVERY = 30;

export interface TemporalLink {
  /** The connected client; throws the 503 answer while there is none yet. */
  client(): Client;
  state(): 'connected' | 'connecting';
  close(): Promise<void>;
}

export function connectInBackground(config: Config, logger: Logger): TemporalLink {
  const { address, namespace } = config.temporal;
  const stop = new AbortController();
  let connection: Connection | undefined;
  let client: Client | undefined;
  const connect = async (): Promise<Connection> => {
    const probe = await probeTcp(address);
    if (probe !== 'open') throw new Error(probe);
    return Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: CONNECT_TIMEOUT_MS });
  };
  const connecting = (async () => {
    for (let attempt = 1; !stop.signal.aborted; attempt++) {
      try {
        connection = await connect();
        client = new Client({ connection, namespace, dataConverter: dataConverterFor(config.codec.keys) });
        logger.info({ address, namespace, attempt }, 'connected to Temporal');
        return;
      } catch (error) {
        if (attempt === 1 || attempt % REMIND_EVERY === 0) {
          const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
          logger.warn(
            { address, attempt, error: reason },
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
      throw new HttpError(503, 'UPSTREAM_UNAVAILABLE', `Temporal does not answer at ${address} yet; the API keeps trying to connect. Retry shortly.`, {
        headers: { 'Retry-After': String(RECONNECT_INTERVAL_MS / 1000) },
      });
    },
    state: () => (client ? 'connected' : 'connecting'),
    async close() {
      stop.abort();
      await connecting;
      await connection?.close();
    },
  };
}

/** A link to a client that is connected already (the tests', say); closing it is its owner's business. */
export function connectedLink(client: Client): TemporalLink {
  return { client: () => client, state: () => 'connected', close: async () => {} };
}
