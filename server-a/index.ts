// Entry point: node server-a/index.ts
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { runUntilSignal } from '../shared/service/serve.ts';
import { createServerAApp } from './app.ts';

const config = loadConfigOrExit();
const logger = createLogger('server-a', config.logLevel);
await runUntilSignal(createServerAApp(logger), config.serviceHost, config.serverA.port, logger);
