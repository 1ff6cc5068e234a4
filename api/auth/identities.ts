// Who may call the workflow API: each identity is a name, its roles and the SHA-256 of its token. Only the
// hashes are kept (API_TOKENS_FILE, or API_TOKENS in the environment); a token is shown once, when it is made
// (npm run token). Tokens are 256 random bits, so a plain SHA-256 is enough: there is nothing to guess slowly.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { issuesOf } from '../../shared/contract.ts';
import { ConfigError } from '../../shared/service-config.ts';

/** viewer reads runs, lists and events; operator also starts and cancels runs; reviewer also approves and rejects. */
export const Role = z.enum(['viewer', 'operator', 'reviewer']);
export type Role = z.infer<typeof Role>;

export const IdentityEntry = z.strictObject({
  name: z.string().trim().min(1).max(100),
  roles: z.array(Role).min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be the 64 hex digits of the token’s SHA-256' }),
});
export type IdentityEntry = z.infer<typeof IdentityEntry>;

const TokensFile = z.array(IdentityEntry);

/** A caller the API has recognised. */
export type Identity = { name: string; roles: readonly Role[] };

export interface Identities {
  /** The identity whose token this is, or undefined; every entry is compared, in constant time. */
  find: (token: string) => Identity | undefined;
  readonly size: number;
}

const TOKEN_PREFIX = 'tms_';

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function identities(entries: readonly IdentityEntry[]): Identities {
  const hashed = entries.map((entry) => ({ identity: { name: entry.name, roles: entry.roles }, digest: Buffer.from(entry.sha256, 'hex') }));
  return {
    size: hashed.length,
    find(token) {
      const digest = createHash('sha256').update(token).digest();
      let found: Identity | undefined;
      // No early exit: the time taken does not tell which entry, or whether any, matched.
      for (const entry of hashed) if (timingSafeEqual(digest, entry.digest) && !found) found = entry.identity;
      return found;
    },
  };
}

/** The identities from API_TOKENS (JSON, as in the file) when set, else from the file; a ConfigError says what to fix. */
export function loadIdentities(source: { file: string; inline: string | undefined }): Identities {
  if (source.inline === undefined && !existsSync(source.file)) {
    throw new ConfigError([
      `No API identities: ${source.file} does not exist and API_TOKENS is not set. ` +
        'Make the development set with `npm run token -- --dev`, or one identity with `npm run token -- --name <name> --roles <roles>`.',
    ]);
  }
  const where = source.inline === undefined ? `API_TOKENS_FILE (${source.file})` : 'API_TOKENS';
  const text = source.inline ?? readFileSync(source.file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${where} is not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = TokensFile.safeParse(json);
  if (!parsed.success) {
    const problems = issuesOf(parsed.error).map((issue) => `${issue.field || 'the list'} ${issue.message}`);
    throw new ConfigError([`${where} must be a JSON array of {"name", "roles", "sha256"}: ${problems.join('; ')}`]);
  }
  return identities(parsed.data);
}
