// Entry point: node server-b/index.ts
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { runUntilSignal } from '../shared/service/serve.ts';
import { createServerBApp } from './app.ts';

const config = loadConfigOrExit();
const logger = createLogger('server-b', config.logLevel);
await runUntilSignal(createServerBApp(logger, { thirdParty: config.thirdParty }), config.serviceHost, config.serverB.port, logger);
