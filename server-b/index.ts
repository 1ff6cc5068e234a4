// Entry point: node server-b/index.ts
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { buildOrExit, runUntilSignal } from '../shared/service/serve.ts';
import { createServerBApp } from './app.ts';

const config = loadConfigOrExit();
const logger = createLogger('server-b', config.logLevel);
const { afterApply, rate } = config.faults;
const database = fromProjectRoot(config.serverB.database);
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
await runUntilSignal(app, config.serviceHost, config.serverB.port, logger);
