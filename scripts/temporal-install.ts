// npm run temporal:install: finds or makes the Temporal CLI that runs the local dev server, and says
// where it is. npm start, dev:all, temporal:dev and npm test do the same on their own when they need it;
// this runs it alone, for example to get a first Go build (minutes) out of the way.
// Exit codes: 0 found or made, 1 none could be found or made, 2 a bad TEMPORAL_CLI_PATH or setting.
import { loadConfigOrExit } from '../shared/config.ts';
import { DEV_SERVER_TEMPORAL_VERSION, ensureTemporalCli, TemporalCliUnavailableError } from '../temporal/dev/temporal-cli.ts';

const config = loadConfigOrExit();
try {
  const cli = await ensureTemporalCli({ explicitPath: config.temporal.cliPath, log: (line) => console.log(line) });
  console.log(`Temporal CLI: ${cli.path} (from ${cli.source}); its dev server runs Temporal server ${DEV_SERVER_TEMPORAL_VERSION}.`);
} catch (error) {
  if (!(error instanceof TemporalCliUnavailableError)) throw error;
  console.error(error.message);
  process.exit(config.temporal.cliPath ? 2 : 1);
}
