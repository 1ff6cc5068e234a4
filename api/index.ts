// Entry point: node api/index.ts   (npm run api; npm start and npm run dev:all start it too)
// Listens at once on API_PORT; connects to Temporal in the background and answers 503 until it can.
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { runUntilSignal } from '../shared/service/serve.ts';
import { createApiApp } from './app.ts';
import { connectInBackground } from './temporal-link.ts';

const config = loadConfigOrExit();
const logger = createLogger('api', config.logLevel, config.logFormat);
const temporal = connectInBackground(config, logger);
const { namespace, taskQueue } = config.temporal;
const stopping = new AbortController();
// Registered before runUntilSignal's own handlers, so the streams have ended by the time it waits for requests in flight.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stopping.abort());
const app = createApiApp({ logger, temporal, namespace, taskQueue, stopping: stopping.signal });
await runUntilSignal(app, config.serviceHost, config.api.port, logger, () => temporal.close());
