// Entry point: node server-a/index.ts
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { runUntilSignal } from '../shared/service/serve.ts';
import { createServerAApp } from './app.ts';

const config = loadConfigOrExit();
const logger = createLogger('server-a', config.logLevel);
const { afterApply, rate } = config.faults;
const app = createServerAApp(logger, {
  database: fromProjectRoot(config.serverA.database),
  token: config.serviceToken,
  ...(afterApply && { faults: { afterApply, rate } }),
});
await runUntilSignal(app, config.serviceHost, config.serverA.port, logger);
