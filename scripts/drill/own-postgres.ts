// A PostgreSQL cluster of the drill's own, made with Debian's pg_createcluster on a free port and dropped at the end:
// the drill stops PostgreSQL in the middle of the run, which must touch nobody else's databases.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from '../../temporal/dev/free-port.ts';
import type { PostgresSettings } from '../../temporal/self-hosted/postgres.ts';

const run = promisify(execFile);

export type OwnPostgres = Awaited<ReturnType<typeof createOwnPostgres>>;

export async function createOwnPostgres() {
  if (process.getuid?.() !== 0) throw new Error("the drill makes a PostgreSQL cluster of its own with Debian's pg_createcluster, which needs root");
  let version: string | undefined;
  try {
    version = readdirSync('/usr/lib/postgresql')
      .sort((x, y) => Number(x) - Number(y))
      .at(-1);
  } catch {
    // no server installed: said below
  }
  if (version === undefined) throw new Error("the drill needs Debian's PostgreSQL server (apt-get install postgresql) for a cluster of its own");
  const port = await freePort();
  const name = `temporal-drill-${port}`;
  // Password logins over TCP, as Temporal's processes log in; the role is made over the socket as postgres.
  await run('pg_createcluster', [version, name, '--port', String(port), '--start', '--', '--auth-host=scram-sha-256', '--auth-local=peer']);
  const settings: PostgresSettings = { host: '127.0.0.1', port, user: 'temporal', password: 'temporal', db: 'temporal' };
  const ctl = (action: 'start' | 'stop') =>
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...(action === 'stop' ? ['-m', 'fast'] : [])]);
  let dropped = false;
  const drop = () => {
    if (dropped) return;
    dropped = true;
    try {
      execFileSync('pg_dropcluster', ['--stop', version, name], { stdio: 'ignore' });
    } catch {
      console.error(`Could not drop ${name}: pg_dropcluster --stop ${version} ${name}`);
    }
  };
  try {
    await run('su', ['postgres', '-c', `psql -p ${port} -v ON_ERROR_STOP=1 -qc "CREATE ROLE temporal LOGIN CREATEDB PASSWORD 'temporal'"`]);
  } catch (error) {
    drop();
    throw error;
  }
  return {
    settings,
    /** What the report calls it. */
    name: `PostgreSQL ${version} cluster ${name} on 127.0.0.1:${port}`,
    stop: () => ctl('stop'),
    start: () => ctl('start'),
    /** Synchronous, so that it also runs in the script's last moment. */
    drop,
  };
}
