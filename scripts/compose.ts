// Runs the Docker Compose stack in docker-compose.yml (PostgreSQL, Temporal server, Web UI), as USAGE says.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { loadConfig, orExit } from '../shared/config.ts';
import { PROJECT_ROOT } from '../shared/paths.ts';

const { temporal, postgres } = orExit(loadConfig);

const USAGE = `Usage: npm run temporal:start | temporal:stop | temporal:logs   (npx node scripts/compose.ts up | down | logs)
  up    start PostgreSQL, the Temporal server and its Web UI in Docker, and wait until they are ready
  down  stop and remove the containers (the PostgreSQL data volume is kept)
  logs  follow the containers' logs
`;

/** Each subcommand, and what it does to Temporal in words for "Cannot … Temporal with Docker Compose". */
const COMMANDS: Record<string, [action: string, run: () => number]> = {
  up: ['start', up],
  down: ['stop', down],
  logs: ['show the logs of', () => compose('logs', '-f', '--tail=200')],
};

const name = process.argv[2];
// Own keys only: "toString" is no subcommand.
const command = process.argv.length === 3 && name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
if (!command) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const problem = dockerProblem();
if (problem) {
  process.stderr.write(`Cannot ${command[0]} Temporal with Docker Compose: ${problem}\n`);
  process.stderr.write('Or run Temporal without Docker: "npm run temporal:dev" starts a local Temporal dev server.\n');
  process.exit(1);
}
process.exit(command[1]());

function up(): number {
  console.log('Starting PostgreSQL, Temporal and the Web UI (the first start downloads the images and takes a few minutes)...');
  const status = compose('up', '-d', '--wait');
  if (status !== 0) {
    process.stderr.write(`docker compose up failed (exit code ${status}). See what went wrong with: npm run temporal:logs\n`);
    return status;
  }
  console.log(`
Temporal is ready:
  Temporal frontend  localhost:7233 (namespace "default")
  Web UI             http://localhost:7070
  Traces (Jaeger)    http://localhost:16686 (send them with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318)
  PostgreSQL         127.0.0.1:5432 (user "${postgres.user}", database "${postgres.db}")
  Prometheus         http://localhost:9090 (scrapes the worker and services of npm run dev:all; alerts: deployment/prometheus/alerts.yml)`);
  if (!['localhost:7233', '127.0.0.1:7233'].includes(temporal.address)) {
    console.log(`Note: TEMPORAL_ADDRESS is ${temporal.address}, so the worker and client will not use this server.`);
  }
  console.log('Next: npm run dev:all   (logs: npm run temporal:logs, stop: npm run temporal:stop)');
  return 0;
}

function down(): number {
  const status = compose('down');
  if (status === 0) console.log('Stopped. The PostgreSQL data volume is kept; to delete it as well, run: docker compose down -v');
  return status;
}

/** What keeps Docker Compose from running here, and how to fix it; undefined when nothing does. */
function dockerProblem(): string | undefined {
  const version = docker(['compose', 'version']);
  if (version.error) {
    const missing = (version.error as NodeJS.ErrnoException).code === 'ENOENT';
    const what = missing ? 'there is no `docker` command on PATH' : `the \`docker\` command could not be run (${version.error.message})`;
    return `${what}.\nInstall Docker (https://docs.docker.com/get-docker/) and run "npm run temporal:start" again.`;
  }
  if (version.status !== 0) {
    return (
      `the Docker Compose plugin is missing (\`docker compose version\` failed: ${firstLine(version)}).\n` +
      'Install Docker Compose v2 (Docker Desktop includes it; on Linux, the docker-compose-plugin package).'
    );
  }
  const info = docker(['info', '--format', '{{.ServerVersion}}']);
  if (info.status !== 0) {
    return (
      `the Docker engine is not running or not reachable (\`docker info\` failed: ${firstLine(info)}).\n` +
      'Start Docker (Docker Desktop, or "sudo systemctl start docker") and run "npm run temporal:start" again.'
    );
  }
  return undefined;
}

// docker compose finds docker-compose.yml and .env in its working directory: the repo root.
function docker(args: string[]): SpawnSyncReturns<string> {
  return spawnSync('docker', args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 30_000 });
}

/** Runs `docker compose ...args` attached to this terminal; returns its exit code. */
function compose(...args: string[]): number {
  const result = spawnSync('docker', ['compose', ...args], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.error) process.stderr.write(`Could not run docker compose: ${result.error.message}\n`);
  return result.status ?? 1;
}

function firstLine(result: SpawnSyncReturns<string>): string {
  const text = result.error?.message ?? (result.stderr.trim() || result.stdout.trim() || `exit code ${result.status}`);
  return text.split('\n')[0]!;
}
