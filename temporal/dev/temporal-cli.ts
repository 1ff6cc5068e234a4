// Finds or makes the `temporal` CLI that runs the local dev server (Temporal server + Web UI + SQLite). In order:
//   1. TEMPORAL_CLI_PATH;  2. `temporal` on PATH;  3. the copy this project cached earlier;
//   4. the Temporal SDK's managed download;  5. with Go on PATH, `go install` of the pinned version.
// Copies 4 and 5 land in a per-user cache outside the work tree, so every clone on the machine reuses them.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, globSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The one pin of the CLI version. v1.5.1 runs Temporal server 1.29.1 and Web UI 2.42.1. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const DEV_SERVER_TEMPORAL_VERSION = '1.29.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
/** Measured on a 2-core machine with an empty Go cache; a warm cache rebuilds in seconds. */
const FIRST_BUILD_ESTIMATE = 'about 5 minutes on 2 cores';
const PROGRESS_EVERY_MS = 15_000;

interface FoundCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project cache' | 'SDK download' | 'go install';
}

export class TemporalCliUnavailableError extends Error {
  readonly tried: string[];
  constructor(tried: string[], advice: string) {
    super(`No Temporal CLI could be found or made. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n${advice}`);
    this.name = 'TemporalCliUnavailableError';
    this.tried = tried;
  }
}

interface EnsureOptions {
  /** TEMPORAL_CLI_PATH from the config. */
  explicitPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a person (a build takes minutes). */
  log?: (line: string) => void;
  /** The SDK download (step 4); injectable so tests can stand in for an offline machine. */
  sdkDownload?: (downloadDir: string) => Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

const ADVICE = [
  'Do one of these, then run the command again:',
  '  - install the Temporal CLI (https://docs.temporal.io/cli#install) and put it on PATH, or set TEMPORAL_CLI_PATH to it;',
  `  - install Go (https://go.dev/dl/) so this project can build the CLI ${TEMPORAL_CLI_VERSION} itself;`,
  '  - or run Temporal with Docker (npm run temporal:start), or point TEMPORAL_ADDRESS at a server you already run.',
].join('\n');

/** The per-user cache of this project: $XDG_CACHE_HOME or ~/.cache, then temporal-multi-server/. */
function projectCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache'), 'temporal-multi-server');
}

const sdkDownloadDir = (env: NodeJS.ProcessEnv) => join(projectCacheDir(env), 'sdk-download');

export async function ensureTemporalCli(options: EnsureOptions = {}): Promise<FoundCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const existing = existingCli(options.explicitPath, env);
  if (existing) return existing;
  const tried = ['TEMPORAL_CLI_PATH: not set', '`temporal` on PATH: none', `project cache ${projectCacheDir(env)}: empty`];

  const downloadDir = sdkDownloadDir(env);
  try {
    log(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} through the Temporal SDK into ${downloadDir}...`);
    await (options.sdkDownload ?? sdkDownload)(downloadDir);
    tried.push('the SDK download: finished, but left no executable');
  } catch (error) {
    tried.push(`the SDK download: ${firstLine(error)}`);
    log(`The SDK download failed (${firstLine(error)}).`);
  }
  // The download can succeed while the server it starts afterwards does not: look either way.
  const downloaded = findDownloaded(downloadDir);
  if (downloaded) {
    log(`Downloaded: ${downloaded}`);
    return { path: downloaded, source: 'SDK download' };
  }

  const go = findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env.PATH ?? '');
  if (!go) throw new TemporalCliUnavailableError([...tried, '`go install`: no `go` on PATH'], ADVICE);
  try {
    return { path: await goInstall(go, env, log), source: 'go install' };
  } catch (error) {
    throw new TemporalCliUnavailableError([...tried, `\`go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}\`: ${firstLine(error)}`], ADVICE);
  }
}

/** ensureTemporalCli for a script: progress on stdout; with no CLI to be had, why on stderr and exit 1 (2: a bad TEMPORAL_CLI_PATH). */
export async function ensureTemporalCliOrExit(explicitPath: string | undefined): Promise<FoundCli> {
  try {
    return await ensureTemporalCli({ explicitPath, log: (line) => console.log(line) });
  } catch (error) {
    if (!(error instanceof TemporalCliUnavailableError)) throw error;
    console.error(error.message);
    process.exit(explicitPath ? 2 : 1);
  }
}

/** Steps 1 to 3, making nothing; undefined when none is there. A TEMPORAL_CLI_PATH that does not work is a configuration error: it throws. */
export function existingCli(explicitPath: string | undefined, env: NodeJS.ProcessEnv = process.env): FoundCli | undefined {
  if (explicitPath) {
    if (isExecutableFile(explicitPath)) return { path: explicitPath, source: 'TEMPORAL_CLI_PATH' };
    throw new TemporalCliUnavailableError([`TEMPORAL_CLI_PATH="${explicitPath}": not an executable file`], 'Fix or unset TEMPORAL_CLI_PATH.');
  }
  const onPath = findOnPath(EXE, env.PATH ?? '');
  if (onPath) return { path: onPath, source: 'PATH' };
  const cached = [programPath(CLI_PROGRAM, env), findDownloaded(sdkDownloadDir(env))].find((path) => path && isExecutableFile(path));
  return cached ? { path: cached, source: 'project cache' } : undefined;
}

const SDK_DOWNLOAD_SCRIPT = fileURLToPath(new URL('./sdk-download.ts', import.meta.url));

/** The SDK's download, in a child process (see sdk-download.ts for why); rejects with its reason. */
async function sdkDownload(downloadDir: string): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [SDK_DOWNLOAD_SCRIPT, downloadDir, TEMPORAL_CLI_VERSION]);
  } catch (error) {
    throw new Error((error as { stderr?: string }).stderr?.trim() || (error as Error).message, { cause: error });
  }
}

function findDownloaded(dir: string): string | undefined {
  const names = globSync(`temporal*${TEMPORAL_CLI_VERSION}*`, { cwd: dir, exclude: ['*.downloading'] });
  return names.map((name) => join(dir, name)).find(isExecutableFile);
}

/** A Go program this project builds from source: `go install <pkg>@<version>`, kept as <cache>/<dir>/<version>/<name>. */
interface GoProgram {
  /** For people: "the Temporal CLI v1.5.1". */
  what: string;
  pkg: string;
  version: string;
  /** The cache folder's name (the program's own name unless it differs) and the executable's name in it. */
  dir?: string;
  name: string;
  /** How long a first build takes, for people waiting on it. */
  estimate?: string;
}

const CLI_PROGRAM: GoProgram = {
  what: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
  pkg: GO_PACKAGE,
  version: TEMPORAL_CLI_VERSION,
  dir: 'temporal-cli',
  name: EXE,
};

const programPath = (program: GoProgram, env: NodeJS.ProcessEnv) => join(projectCacheDir(env), program.dir ?? program.name, program.version, program.name);

/** The program from the per-user cache, built there with Go first when it is not (the same progress, Ctrl-C and errors as the CLI's build). */
export async function ensureGoProgram(program: GoProgram & { log: (line: string) => void; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = program.env ?? process.env;
  if (isExecutableFile(programPath(program, env))) return programPath(program, env);
  const go = findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env.PATH ?? '');
  if (!go) throw new Error(`Building ${program.what} needs Go (https://go.dev/dl/) on PATH, and there is none`);
  return goInstall(go, env, program.log, program);
}

/** Builds a pinned program with Go into a scratch folder, then moves it into the cache in one step. */
async function goInstall(go: string, env: NodeJS.ProcessEnv, log: (line: string) => void, program: GoProgram = CLI_PROGRAM): Promise<string> {
  const target = programPath(program, env);
  const scratch = `${dirname(target)}.building-${process.pid}`;
  mkdirSync(scratch, { recursive: true });
  const source = `${program.pkg}@${program.version}`;
  log(
    `Building ${program.what} from source with Go (go install ${source}),\n` +
      `because no prebuilt one could be found. The first build takes ${program.estimate ?? FIRST_BUILD_ESTIMATE};\n` +
      `later ones reuse Go's build cache. The result is kept in ${dirname(target)} for every clone on this machine.`,
  );
  const started = Date.now();
  // -v names each package as it is compiled, on stderr with everything else Go says: the progress counter.
  const child = spawn(go, ['install', '-v', source], { env: { ...env, GOBIN: scratch }, stdio: ['ignore', 'ignore', 'pipe'] });
  let modules = 0;
  let packages = 0;
  let lastLines: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.trim() === '') return;
    if (line.startsWith('go: downloading ')) modules++;
    else if (!line.startsWith('go: ')) packages++;
    lastLines = [...lastLines, line].slice(-5);
  });
  const ticker = setInterval(
    () => log(`  still building: ${elapsed(started)} so far, ${modules} modules downloaded, ${packages} packages compiled...`),
    PROGRESS_EVERY_MS,
  );
  // Ctrl-C or a stop during the build: stop Go too and leave no half-built folder behind.
  const interrupted = (signal: NodeJS.Signals) => {
    child.kill(signal);
    rmSync(scratch, { recursive: true, force: true });
    log('Build interrupted; the next run starts it again (Go keeps what it already compiled).');
    process.exit(130);
  };
  for (const signal of SIGNALS) process.once(signal, interrupted);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    // go install names the executable after the package's last path element.
    const built = join(scratch, `${basename(program.pkg)}${process.platform === 'win32' ? '.exe' : ''}`);
    if (code !== 0 || !isExecutableFile(built)) throw new Error(`exit code ${code}: ${lastLines.join(' | ')}`);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(built, target);
  } finally {
    clearInterval(ticker);
    for (const signal of SIGNALS) process.off(signal, interrupted);
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`Built ${program.what} in ${elapsed(started)}: ${target}`);
  return target;
}

function findOnPath(name: string, pathVariable: string): string | undefined {
  const dirs = pathVariable.split(delimiter).filter((dir) => dir !== '');
  return dirs.map((dir) => join(dir, name)).find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function elapsed(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)}s`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
