// The development identities `npm start` makes on its first run, so the console can be signed in to at
// once: `dev` (operator and reviewer) and `viewer`. Their tokens are printed then and never kept: the file
// (outside git, in .data/) holds their hashes only.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashToken, type IdentityEntry, newToken, type Role } from './identities.ts';

const DEV_IDENTITIES: Array<{ name: string; roles: Role[] }> = [
  { name: 'dev', roles: ['operator', 'reviewer'] },
  { name: 'viewer', roles: ['viewer'] },
];

/** A new identity: its token (to show once) and the entry that goes in the tokens file. */
export function makeToken(name: string, roles: Role[]) {
  const token = newToken();
  return { made: { name, roles, token }, entry: { name, roles, sha256: hashToken(token) } satisfies IdentityEntry };
}
export type MadeToken = ReturnType<typeof makeToken>['made'];

/** Writes the development set to `file` unless it exists (or `replace`); the tokens made, or none when the file was kept. */
export function ensureDevTokens(file: string, replace = false): MadeToken[] {
  if (existsSync(file) && !replace) return [];
  const made = DEV_IDENTITIES.map(({ name, roles }) => makeToken(name, roles));
  mkdirSync(dirname(file), { recursive: true });
  // Readable by this user only: hashes are not tokens, but the list of names and roles is nobody else's business.
  const entries = made.map((m) => m.entry);
  writeFileSync(file, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
  // The mode above applies only to a new file: a replaced one is narrowed too.
  chmodSync(file, 0o600);
  return made.map((m) => m.made);
}

/** The lines that show new tokens to the person who made them. */
export function describeTokens(tokens: MadeToken[]): string[] {
  const width = Math.max(...tokens.map((t) => `${t.name} (${t.roles.join(', ')})`.length));
  return tokens.map((t) => `  ${`${t.name} (${t.roles.join(', ')})`.padEnd(width)}  ${t.token}`);
}
