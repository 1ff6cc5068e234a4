// A visible, bounded wait for the Temporal server: Docker Compose needs up to a minute before the
// frontend answers, and a first `temporal:dev` run may still be downloading the dev server.
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { Logger } from '../shared/logger.ts';
import type { connectionOptions } from './connection-options.ts';

export const START_TEMPORAL_HINT = 'Start it with "npm run temporal:dev" (no Docker) or "npm run temporal:start" (Docker), or set TEMPORAL_ADDRESS.';

const ATTEMPTS = 60;
const INTERVAL_MS = 2_000;

export async function waitForTemporal<T>(address: string, connect: () => Promise<T>, logger: Logger, { signal }: { signal?: AbortSignal } = {}): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    signal?.throwIfAborted();
    try {
      const connection = await connect();
      if (attempt > 1) logger.info({ address, attempt }, 'Temporal is up');
      return connection;
    } catch (error) {
      lastError = error;
      logger.info({ address, attempt, of: ATTEMPTS, error: errorText(error) }, `waiting for Temporal at ${address}`);
    }
    if (attempt < ATTEMPTS) await sleep(INTERVAL_MS, undefined, { signal });
  }
  const waited = Math.round((Date.now() - started) / 1000);
  throw new Error(`Temporal did not answer at ${address} within ${waited} s (last error: ${errorText(lastError)}). ${START_TEMPORAL_HINT}`);
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  // The native connection's refusal is a long Rust debug string; what it means fits in two words.
  return /ConnectionRefused|ECONNREFUSED/.test(text) ? 'connection refused' : text;
}

/** One quick look, without waiting: does a Temporal frontend answer there right now (with TLS, if configured)? */
export async function temporalAnswers(target: string | ReturnType<typeof connectionOptions>, timeoutMs = 2_000): Promise<boolean> {
  try {
    const options = typeof target === 'string' ? { address: target } : target;
    const connection = await Connection.connect({ ...options, connectTimeout: timeoutMs });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
