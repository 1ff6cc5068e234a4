// Entry point: node server-b/index.ts
import { runService } from '../shared/service/serve.ts';
import { createServerBApp } from './app.ts';

await runService('server-b', (logger, options, config) => createServerBApp(logger, { ...options, thirdParty: config.thirdParty }));
