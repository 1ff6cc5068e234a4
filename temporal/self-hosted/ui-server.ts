// The Temporal Web UI server of the Compose stack, run as a process of this machine: the version Compose
// pins, with the configuration its image renders (the module's config/docker.yaml, filled from the same
// variables Compose sets), plus one line Compose gets from its port mapping: listen on loopback only.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServerProcess } from '../dev/server-process.ts';
import type { SelfHostedBinaries } from './binaries.ts';

const READY_TIMEOUT_MS = 60_000;

export interface UiOptions {
  temporalAddress: string;
  port: number;
  /** The codec server the browser asks to decrypt payloads (with payload keys set). */
  codecEndpoint?: string | undefined;
  logFile: string;
}

export async function startUiServer(binaries: SelfHostedBinaries, options: UiOptions) {
  // A config folder of its own next to the log: the module cache is read-only.
  const configDir = join(dirname(options.logFile), 'ui-config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'docker.yaml'), `${readFileSync(join(binaries.uiRoot, 'config', 'docker.yaml'), 'utf8')}\nhost: 127.0.0.1\n`);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_UI_PORT: String(options.port),
    ...(options.codecEndpoint && { TEMPORAL_CODEC_ENDPOINT: options.codecEndpoint }),
  };
  const args = ['--root', dirname(configDir), '--config', 'ui-config', '--env', 'docker', 'start'];
  const { exited, gone, stop } = startServerProcess(binaries.uiServer, args, { env, logFile: options.logFile });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (
    !(await fetch(`${url}/api/v1/settings`, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.ok,
      () => false,
    ))
  ) {
    if (gone()) throw new Error(`the UI server exited (code ${await exited}) before it answered at ${url}; its log: ${options.logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the UI server did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s; its log: ${options.logFile}`);
    }
    await sleep(500);
  }
  return { url, stop, exited };
}
