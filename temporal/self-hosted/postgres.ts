// Reaching the PostgreSQL that Temporal's databases live in, with the variables Compose uses (POSTGRES_HOST,
// POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB). Checked before any Go tool touches it, so an
// unreachable server, a refused login or a missing right is one sentence naming the variable and the fix.
import pg from 'pg';

export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Temporal's database; its visibility database is this name plus `_visibility`, as in Compose. */
  db: string;
}

export const visibilityDb = (settings: PostgresSettings) => `${settings.db}_visibility`;

export class PostgresUnusable extends Error {}

/** Resolves when `settings` can log in and either find both databases or create them; else throws PostgresUnusable. */
export async function checkPostgres(settings: PostgresSettings): Promise<void> {
  const { host, port, user, password } = settings;
  // The maintenance database: it exists on every server, whether Temporal's do yet or not.
  const client = new pg.Client({ host, port, user, password, database: 'postgres', connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new PostgresUnusable(loginProblem(settings, error));
  }
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [
      [settings.db, visibilityDb(settings)],
    ]);
    const missing = [settings.db, visibilityDb(settings)].filter((name) => !rows.some((row) => row.datname === name));
    if (missing.length === 0) return;
    const role = await client.query<{ rolcreatedb: boolean; rolsuper: boolean }>('SELECT rolcreatedb, rolsuper FROM pg_roles WHERE rolname = current_user');
    const may = role.rows[0];
    if (!may?.rolcreatedb && !may?.rolsuper) {
      throw new PostgresUnusable(
        `POSTGRES_USER=${user} may not create databases, and ${missing.join(' and ')} do not exist yet. ` +
          `As a superuser: ALTER ROLE ${user} CREATEDB; (or create ${missing.join(' and ')} owned by ${user}).`,
      );
    }
  } finally {
    await client.end().catch(() => {});
  }
}

function loginProblem({ host, port, user }: PostgresSettings, error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || /timeout/i.test(message ?? '')) {
    return (
      `PostgreSQL does not answer at ${host}:${port} (POSTGRES_HOST, POSTGRES_PORT): ${code ?? message}. Start it ` +
      '(on Debian: pg_ctlcluster --skip-systemctl-redirect <version> main start), or point POSTGRES_HOST and POSTGRES_PORT at one that runs.'
    );
  }
  if (code === '28P01') return `PostgreSQL refused the password of POSTGRES_USER=${user}: set POSTGRES_PASSWORD to that role's password.`;
  if (code === '28000' && /does not exist/.test(message ?? '')) {
    return (
      `PostgreSQL has no role POSTGRES_USER=${user}. Create it as a superuser: ` +
      `CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '<POSTGRES_PASSWORD>'; (or set POSTGRES_USER to a role that exists).`
    );
  }
  return `PostgreSQL at ${host}:${port} refused POSTGRES_USER=${user}: ${message ?? String(error)}`;
}
