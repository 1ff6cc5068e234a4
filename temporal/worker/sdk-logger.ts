// Routes the Temporal SDK's logs (worker, activity context logger, forwarded core logs) into pino,
// so the worker writes the same one-JSON-object-per-line logs as the services.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from '../../shared/logger.ts';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
/** The activity's task token: several hundred characters of base64 on every activity line, and a credential to complete the task. */
const DROPPED = new Set(['taskToken']);
/** The bundler's report of the workflow bundle (every module, many lines) is for debugging the bundle, not for every start. */
const BUNDLER_REPORT = /^asset workflow-bundle-/;
/** A service's worker polls activities only, by design (worker/create-worker.ts): the SDK warns about that on every start. */
const BY_DESIGN = /^No workflows registered, not polling for workflow tasks$/;

export function sdkLoggerFrom(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    const fields: Record<string, unknown> = {};
    // pino serializes an Error (message, type, stack) only under the `err` key.
    for (const [key, value] of Object.entries(meta)) if (!DROPPED.has(key)) fields[value instanceof Error ? 'err' : key] = value;
    const quiet = (BUNDLER_REPORT.test(message) && level === 'INFO') || (BY_DESIGN.test(message) && level === 'WARN');
    logger[quiet ? 'debug' : LEVELS[level]](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
