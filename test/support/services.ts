// Starts the real Server A and Server B on 127.0.0.1 with ephemeral ports, for tests.
import { Writable } from 'node:stream';
import { createServerAApp } from '../../server-a/app.ts';
import { createServerBApp, type ServerBOptions } from '../../server-b/app.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { listen, type RunningService } from '../../shared/service/serve.ts';

export const HOST = '127.0.0.1';

export function silentLogger(): Logger {
  return createLogger('test', 'silent');
}

/** A logger whose JSON lines the test can read back. */
export function capturingLogger(name = 'test'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger(name, 'info', sink), lines: () => lines };
}

export function startServerA(options: { logger?: Logger; port?: number } = {}): Promise<RunningService> {
  return listen(createServerAApp(options.logger ?? silentLogger()), HOST, options.port ?? 0);
}

export function startServerB(
  options: { logger?: Logger; port?: number; thirdParty?: Partial<ServerBOptions['thirdParty']>; random?: () => number } = {},
): Promise<RunningService> {
  const thirdParty = { latencyMs: 0, failureRate: 0, ...options.thirdParty };
  const app = createServerBApp(options.logger ?? silentLogger(), { thirdParty, ...(options.random ? { random: options.random } : {}) });
  return listen(app, HOST, options.port ?? 0);
}
