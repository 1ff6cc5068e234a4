// Entry point: node server-b/index.ts
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { buildOrExit, runUntilSignal } from '../shared/service/serve.ts';
import { startTracing } from '../shared/tracing/setup.ts';
import { createServerBApp } from './app.ts';

const config = loadConfigOrExit();
const logger = createLogger('server-b', config.logLevel, config.logFormat);
const { afterApply, rate } = config.faults;
const database = fromProjectRoot(config.serverB.database);
const tracing = startTracing('server-b', config.traces);
const app = buildOrExit(
  () =>
    createServerBApp(logger, {
      thirdParty: config.thirdParty,
      database,
      token: config.serviceToken,
      ...(afterApply && { faults: { afterApply, rate } }),
    }),
  logger,
  `the database ${database} (SERVER_B_DB)`,
);
await runUntilSignal(app, config.serviceHost, config.serverB.port, logger, tracing?.shutdown);
