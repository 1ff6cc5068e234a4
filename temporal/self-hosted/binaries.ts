// The Go programs of the Compose stack, built from source at the versions Compose pins, once per machine and
// version, into the per-user cache beside the CLI (with the CLI build's progress, Ctrl-C and error handling):
// the Temporal server, its SQL schema tool, and the Web UI server.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureGoProgram } from '../dev/temporal-cli.ts';
import { COMPOSE_VERSIONS } from './versions.ts';

const SERVER_MODULE = 'go.temporal.io/server';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';

export interface SelfHostedBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
  /** The server module's PostgreSQL schemas (schema/postgresql/v12), as Compose's admin-tools image ships them. */
  schemaDir: string;
  /** The folder whose config/ holds the UI server module's configuration files. */
  uiRoot: string;
}

/** Builds what is missing (minutes the first time, seconds with Go's cache warm); progress lines go to `log`. */
export async function ensureSelfHostedBinaries(log: (line: string) => void): Promise<SelfHostedBinaries> {
  const server = `v${COMPOSE_VERSIONS.temporalServer}`;
  const ui = `v${COMPOSE_VERSIONS.temporalUi}`;
  const built = {
    server: await ensureGoProgram({
      what: `the Temporal server ${server}`,
      pkg: `${SERVER_MODULE}/cmd/server`,
      version: server,
      name: 'temporal-server',
      estimate: 'about 6 to 9 minutes on 2 cores',
      log,
    }),
    sqlTool: await ensureGoProgram({
      what: `temporal-sql-tool ${server}`,
      pkg: `${SERVER_MODULE}/cmd/tools/sql`,
      version: server,
      name: 'temporal-sql-tool',
      estimate: 'about a minute (seconds once the server is built)',
      log,
    }),
    uiServer: await ensureGoProgram({
      what: `the Temporal UI server ${ui}`,
      pkg: `${UI_MODULE}/cmd/server`,
      version: ui,
      name: 'temporal-ui-server',
      estimate: 'about 2 minutes, most of it downloading 546 MB of web assets',
      log,
    }),
  };
  // What the programs read besides themselves, copied next to them once: later starts need neither Go nor its module cache.
  const schemaDir = join(dirname(built.server), 'schema', 'postgresql', 'v12');
  const uiRoot = dirname(built.uiServer);
  if (!existsSync(schemaDir) || !existsSync(join(uiRoot, 'config', 'docker.yaml'))) {
    const modules = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    cpSync(join(modules, `${SERVER_MODULE}@${server}`, 'schema', 'postgresql', 'v12'), schemaDir, { recursive: true });
    cpSync(join(modules, `${UI_MODULE}@${ui}`, 'config'), join(uiRoot, 'config'), { recursive: true });
  }
  return { ...built, schemaDir, uiRoot };
}
