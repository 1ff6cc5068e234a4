// npm run token -- --name ada --roles reviewer[,viewer…]   makes a token for the workflow API and prints it
// once, with the line to add to API_TOKENS_FILE (or API_TOKENS); nothing is written.
// npm run token -- --dev [--replace]   writes the development set (dev, viewer) to API_TOKENS_FILE and prints it.
import { describeTokens, ensureDevTokens, makeToken } from '../api/auth/dev-tokens.ts';
import { Role } from '../api/auth/identities.ts';
import { loadConfig, orExit } from '../shared/config.ts';
import { optionsOrExit, UsageError } from './support/args.ts';

const USAGE = `Usage:
  npm run token -- --name <name> --roles <role>[,<role>…]   a new token; prints it and the entry to add
  npm run token -- --dev [--replace]                         the development set, written to API_TOKENS_FILE

Roles: ${Role.options.join(', ')} (every identity may read; operator starts and cancels runs; reviewer decides reviews).`;

const options = optionsOrExit(USAGE, ['name', 'roles'], ['dev', 'replace'], (values) => {
  if (values.dev) {
    if (values.name !== undefined || values.roles !== undefined) throw new UsageError('--dev makes its own identities: leave out --name and --roles');
    return { dev: true as const, replace: values.replace ?? false };
  }
  if (values.replace) throw new UsageError('--replace goes with --dev');
  const name = values.name?.trim();
  if (!name || name.length > 100) throw new UsageError('--name must be 1 to 100 characters');
  const roles = (values.roles ?? '').split(',').map((r) => r.trim());
  const bad = roles.filter((r) => !Role.safeParse(r).success);
  if (bad.length > 0) throw new UsageError(`--roles must list roles from ${Role.options.join(', ')}; got ${bad.map((r) => `"${r}"`).join(', ')}`);
  return { dev: false as const, name, roles: [...new Set(roles)] as Role[] };
});

const config = orExit(loadConfig);
const file = config.api.tokens.file;
if (options.dev) {
  const made = ensureDevTokens(file, options.replace);
  if (made.length === 0) {
    console.error(`${file} exists already; --replace makes a new development set (the old tokens stop working).`);
    process.exit(1);
  }
  console.log(`Wrote the hashes of the development tokens to ${file}. The tokens, shown this once:\n${describeTokens(made).join('\n')}`);
} else {
  const { made, entry } = makeToken(options.name, options.roles);
  console.log(`Token for ${made.name} (${made.roles.join(', ')}), shown this once:\n  ${made.token}\n`);
  console.log(`Add this entry to the JSON array in ${file} (or API_TOKENS), then restart the API:\n  ${JSON.stringify(entry)}`);
}
