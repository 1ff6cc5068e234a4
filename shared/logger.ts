// Structured JSON logs (one object per line) for the services, the worker and the scripts.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** `destination` lets tests capture the lines; by default they go to stdout. */
export function createLogger(name: string, level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime };
  // Synchronous stdout: a line logged just before process.exit() ("stopped", "cannot listen") is never lost.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
