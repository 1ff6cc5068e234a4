// Logs for the services, the worker and the scripts: one JSON object per line, or (LOG_FORMAT=pretty,
// development) one short readable line each, coloured on a terminal, with the same fields.
import { pino, type DestinationStream, type Logger } from 'pino';
import { build as pretty } from 'pino-pretty';
import type { LogFormat, LogLevel } from './service-config.ts';

export type { Logger };

/** `output`: a stream (tests capture the lines), or the format for stdout. */
export function createLogger(name: string, level: LogLevel, output: DestinationStream | LogFormat = 'json'): Logger {
  const options = { level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime };
  if (typeof output === 'object') return pino(options, output);
  // Synchronous stdout: a line logged just before process.exit() ("stopped", "cannot listen") is never lost.
  if (output === 'json') return pino(options, pino.destination({ dest: 1, sync: true }));
  // npm start's children write to a pipe, not a terminal: the stack passes FORCE_COLOR when its own output is one.
  const colorize = process.stdout.isTTY === true || (process.env.FORCE_COLOR ?? '0') !== '0';
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', hideObject: true, messageFormat: readable, colorize }));
}

/** Left out of the readable lines: the same on every line of a process, or ids too long to read (the JSON keeps them). */
const HIDDEN = ['pid', 'hostname', 'service', 'sdkComponent', 'taskQueue', 'namespace', 'isLocal', 'workflowRunId', 'runId', 'workflowType'];
const NOT_FIELDS = new Set([...HIDDEN, 'requestId', 'level', 'time', 'msg', 'err']);

/** "message key=value …", values quoted only when they contain spaces; an error's stack on the lines below. */
function readable(log: Record<string, unknown>): string {
  const fields = Object.entries(log)
    .filter(([key, value]) => !NOT_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const err = log.err as { message?: string; stack?: string } | undefined;
  if (err?.message) fields.push(`err=${JSON.stringify(err.message)}`);
  const line = [String(log.msg ?? ''), ...fields].join(' ');
  // A stack only where it helps: unexpected errors, not the expected failures retries are made for.
  return err?.stack && Number(log.level) >= 50 ? `${line}\n${err.stack}` : line;
}
