// Entry point: node server-a/index.ts
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { buildOrExit, runUntilSignal } from '../shared/service/serve.ts';
import { startTracing } from '../shared/tracing/setup.ts';
import { createServerAApp } from './app.ts';

const config = loadConfigOrExit();
const logger = createLogger('server-a', config.logLevel, config.logFormat);
const { afterApply, rate } = config.faults;
const database = fromProjectRoot(config.serverA.database);
const tracing = startTracing('server-a', config.traces);
const app = buildOrExit(
  () =>
    createServerAApp(logger, {
      database,
      token: config.serviceToken,
      ...(afterApply && { faults: { afterApply, rate } }),
    }),
  logger,
  `the database ${database} (SERVER_A_DB)`,
);
await runUntilSignal(app, config.serviceHost, config.serverA.port, logger, tracing?.shutdown);
