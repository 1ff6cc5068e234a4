// A PostgreSQL cluster of the drill's own, made with Debian's pg_createcluster on a free port and dropped at the end:
// the drill stops PostgreSQL in the middle of the run, which must touch nobody else's databases.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from '../../temporal/dev/free-port.ts';
import type { PostgresSettings } from '../../temporal/self-hosted/postgres.ts';

const run = promisify(execFile);
const SERVERS = '/usr/lib/postgresql';

export type OwnPostgres = Awaited<ReturnType<typeof createOwnPostgres>>;

/** Creates and starts it; it is dropped when this process exits, however it exits short of SIGKILL. */
export async function createOwnPostgres() {
  if (process.getuid?.() !== 0) throw new Error("the drill makes a PostgreSQL cluster of its own with Debian's pg_createcluster, which needs root");
  // The newest server installed: a client-only version has no bin/postgres.
  const version = (existsSync(SERVERS) ? readdirSync(SERVERS) : [])
    .filter((v) => existsSync(`${SERVERS}/${v}/bin/postgres`))
    .sort((x, y) => Number(x) - Number(y))
    .at(-1);
  if (version === undefined) throw new Error("the drill needs Debian's PostgreSQL server (apt-get install postgresql) for a cluster of its own");
  const port = await freePort();
  const name = `temporal-drill-${port}`;
  let dropped = false;
  /** Synchronous, so that it also runs in the process's last moment; quiet when there was nothing to drop. */
  const drop = () => {
    if (dropped) return;
    dropped = true;
    try {
      execFileSync('pg_dropcluster', ['--stop', version, name], { stdio: 'ignore' });
    } catch {
      if (existsSync(`/etc/postgresql/${version}/${name}`)) console.error(`Could not drop ${name}: pg_dropcluster --stop ${version} ${name}`);
    }
  };
  process.on('exit', drop);
  try {
    // Never started at boot; password logins over TCP, as Temporal's processes log in. The role is made over the socket as postgres.
    await run('pg_createcluster', [
      version,
      name,
      '--port',
      String(port),
      '--start-conf=manual',
      '--start',
      '--',
      '--auth-host=scram-sha-256',
      '--auth-local=peer',
    ]);
    await run('su', ['postgres', '-c', `psql -p ${port} -v ON_ERROR_STOP=1 -qc "CREATE ROLE temporal LOGIN CREATEDB PASSWORD 'temporal'"`]);
  } catch (error) {
    drop();
    throw error;
  }
  const ctl = (action: 'start' | 'stop') =>
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...(action === 'stop' ? ['-m', 'fast'] : [])]);
  const settings: PostgresSettings = { host: '127.0.0.1', port, user: 'temporal', password: 'temporal', db: 'temporal' };
  return {
    settings,
    /** What the drill calls it. */
    name: `PostgreSQL ${version} cluster ${name} on 127.0.0.1:${port}`,
    stop: () => ctl('stop'),
    start: () => ctl('start'),
    drop,
  };
}
