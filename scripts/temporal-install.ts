// npm run temporal:install: finds or makes the Temporal CLI for the dev server, a first Go build out of the way.
// Exit codes: 0 found or made, 1 none could be found or made, 2 a bad TEMPORAL_CLI_PATH or setting.
import { loadConfig, orExit } from '../shared/config.ts';
import { DEV_SERVER_TEMPORAL_VERSION, ensureTemporalCliOrExit } from '../temporal/dev/temporal-cli.ts';

const cli = await ensureTemporalCliOrExit(orExit(loadConfig).temporal.cliPath);
console.log(`Temporal CLI: ${cli.path} (from ${cli.source}); its dev server runs Temporal server ${DEV_SERVER_TEMPORAL_VERSION}.`);
