// Entry point: node api/index.ts   (npm run api; npm start and npm run dev:all start it too)
// Listens at once on API_PORT; connects to Temporal in the background and answers 503 until it can.
import { loadConfig, orExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { runUntilSignal } from '../shared/service/serve.ts';
import { isLocalAddress } from '../temporal/dev/dev-server.ts';
import { webUiCandidates } from '../temporal/cli/web-ui.ts';
import { createApiApp } from './app.ts';
import { loadIdentities } from './auth/identities.ts';
import { connectInBackground } from './temporal-link.ts';

const config = orExit(loadConfig);
const logger = createLogger('api', config.logLevel, config.logFormat);
const identities = orExit(() => loadIdentities(config.api.tokens));
const temporal = connectInBackground(config, logger);
const { namespace, taskQueue, address, uiUrl } = config.temporal;
// The console links each run to the Web UI: the one configured, else the local dev server's.
const webUi = uiUrl ?? (isLocalAddress(address) ? webUiCandidates(address)[0]! : null);
const stopping = new AbortController();
// Registered before runUntilSignal's own handlers, so the streams have ended by the time it waits for requests in flight.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stopping.abort());
const app = createApiApp({ logger, temporal, namespace, taskQueue, identities, limits: config.api.limits, webUi, stopping: stopping.signal });
logger.info({ identities: identities.size, console: `http://${config.serviceHost}:${config.api.port}/console/` }, 'API identities loaded');
await runUntilSignal(app, config.serviceHost, config.api.port, logger, () => temporal.close());
