// Starting and stopping a local Temporal dev server (`temporal server start-dev`): used by
// `npm run temporal:dev` and by the test setup, so both run the server the same way.
import { setTimeout as sleep } from 'node:timers/promises';
import { temporalAnswers } from '../wait-for-temporal.ts';
import { startServerProcess } from './server-process.ts';
import { devServerSettingsArgs } from './server-settings.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether host:port names this machine, the only place a dev server can be started. */
export function isLocalAddress(address: string): boolean {
  return LOCAL_HOSTS.has(address.slice(0, address.lastIndexOf(':')));
}

/** The CLI's own convention, kept here: the Web UI listens 1000 above the frontend (7233 → 8233). */
export function devUiPort(frontendPort: number): number {
  return frontendPort + 1000;
}

export interface DevServerOptions {
  cli: string;
  /** 127.0.0.1 unless told otherwise: the dev server has no authentication. */
  ip?: string;
  port: number;
  namespace: string;
  /** SQLite file that keeps workflows across restarts; in memory when absent. */
  dbFile?: string;
  /** Remote codec the Web UI calls to show encrypted payloads decrypted (temporal/codec-server.ts). */
  codecEndpoint?: string;
}

export function devServerArgs(options: DevServerOptions): string[] {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--ui-port', String(devUiPort(options.port))];
  // Errors only: at 'warn' the server's own system workers log a screenful on every Ctrl-C.
  args.push('--namespace', options.namespace, '--log-level', 'error');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  args.push(...devServerSettingsArgs(options));
  return args;
}

/** How long a dev server may take to answer; SQLite migrations on first start take a few seconds. */
const READY_TIMEOUT_MS = 60_000;

export type RunningDevServer = Awaited<ReturnType<typeof startDevServer>>;

/** Starts the server and resolves once its frontend answers; rejects (and stops it) if it does not. */
export async function startDevServer(options: DevServerOptions) {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const { child, exited, gone, stop } = startServerProcess(options.cli, devServerArgs(options));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await temporalAnswers(address, 1_000))) {
    if (gone()) throw new Error(`the dev server exited (code ${await exited}) before it answered at ${address}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the dev server did not answer at ${address} within ${READY_TIMEOUT_MS / 1000} s`);
    }
    await sleep(200);
  }
  // Something answered, but it may be another server that already held the port, while ours exited.
  await sleep(200);
  if (gone()) throw new Error(`the dev server exited (code ${await exited}); is another Temporal server using ${address}?`);
  return { address, uiUrl: `http://${ip}:${devUiPort(options.port)}`, child, exited, stop };
}
