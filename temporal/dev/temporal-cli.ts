// Finds or makes the `temporal` CLI that runs the local dev server (Temporal server + Web UI + SQLite).
// Everything that needs one goes through ensureTemporalCli(): npm start, dev:all, temporal:dev,
// temporal:install and the test setup. It tries, in order:
//   1. TEMPORAL_CLI_PATH;  2. `temporal` on PATH;  3. the copy this project cached earlier;
//   4. the Temporal SDK's managed download;  5. with Go on PATH, `go install` of the pinned version.
// Copies 4 and 5 land in a per-user cache outside the work tree, so every clone on the machine reuses them.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one pin of the CLI version. v1.5.1 runs Temporal server 1.29.1 and Web UI 2.42.1. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const DEV_SERVER_TEMPORAL_VERSION = '1.29.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
/** Measured on a 2-core machine with an empty Go cache; a warm cache rebuilds in seconds. */
const FIRST_BUILD_ESTIMATE = 'about 5 minutes on 2 cores';
const PROGRESS_EVERY_MS = 15_000;

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project cache' | 'SDK download' | 'go install';

export interface FoundCli {
  path: string;
  source: CliSource;
}

export class TemporalCliUnavailableError extends Error {
  readonly tried: string[];
  constructor(tried: string[], advice: string) {
    super(`No Temporal CLI could be found or made. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n${advice}`);
    this.name = 'TemporalCliUnavailableError';
    this.tried = tried;
  }
}

export interface EnsureOptions {
  /** TEMPORAL_CLI_PATH from the config. */
  explicitPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a person (a build takes minutes). */
  log?: (line: string) => void;
  /** The SDK download (step 4); injectable so tests can stand in for an offline machine. */
  sdkDownload?: (downloadDir: string) => Promise<void>;
}

const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** The per-user cache of this project: $XDG_CACHE_HOME or ~/.cache, then temporal-multi-server/. */
export function projectCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'temporal-multi-server');
}

function goInstallDir(env: NodeJS.ProcessEnv): string {
  return join(projectCacheDir(env), 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function sdkDownloadDir(env: NodeJS.ProcessEnv): string {
  return join(projectCacheDir(env), 'sdk-download');
}

export async function ensureTemporalCli(options: EnsureOptions = {}): Promise<FoundCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const tried: string[] = [];
  const existing = existingCli(options.explicitPath, env);
  if (existing) return existing;
  tried.push('TEMPORAL_CLI_PATH: not set', '`temporal` on PATH: none', `project cache ${projectCacheDir(env)}: empty`);

  const downloadDir = sdkDownloadDir(env);
  try {
    log(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} through the Temporal SDK into ${downloadDir}...`);
    await (options.sdkDownload ?? sdkDownload)(downloadDir);
    const downloaded = findDownloaded(downloadDir);
    if (downloaded) {
      log(`Downloaded: ${downloaded}`);
      return { path: downloaded, source: 'SDK download' };
    }
    tried.push('the SDK download: finished, but left no executable');
  } catch (error) {
    // The download can succeed while the server it starts afterwards does not.
    const downloaded = findDownloaded(downloadDir);
    if (downloaded) return { path: downloaded, source: 'SDK download' };
    tried.push(`the SDK download: ${firstLine(error)}`);
    log(`The SDK download failed (${firstLine(error)}).`);
  }

  const go = findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env.PATH ?? '');
  if (!go) {
    tried.push('`go install`: no `go` on PATH');
    throw new TemporalCliUnavailableError(tried, ADVICE);
  }
  try {
    return { path: await goInstall(go, env, log), source: 'go install' };
  } catch (error) {
    tried.push(`\`go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}\`: ${firstLine(error)}`);
    throw new TemporalCliUnavailableError(tried, ADVICE);
  }
}

const ADVICE = [
  'Do one of these, then run the command again:',
  '  - install the Temporal CLI (https://docs.temporal.io/cli#install) and put it on PATH, or set TEMPORAL_CLI_PATH to it;',
  `  - install Go (https://go.dev/dl/) so this project can build the CLI ${TEMPORAL_CLI_VERSION} itself;`,
  '  - or run Temporal with Docker (npm run temporal:start), or point TEMPORAL_ADDRESS at a server you already run.',
].join('\n');

/**
 * Steps 1 to 3: a CLI that is already there (TEMPORAL_CLI_PATH, PATH, the project cache), without trying
 * to make one; undefined when there is none. A TEMPORAL_CLI_PATH that does not work is a configuration
 * error, not a reason to build another CLI: it throws.
 */
export function existingCli(explicitPath: string | undefined, env: NodeJS.ProcessEnv = process.env): FoundCli | undefined {
  if (explicitPath) {
    if (isExecutableFile(explicitPath)) return { path: explicitPath, source: 'TEMPORAL_CLI_PATH' };
    throw new TemporalCliUnavailableError([`TEMPORAL_CLI_PATH="${explicitPath}": not an executable file`], 'Fix or unset TEMPORAL_CLI_PATH.');
  }
  const onPath = findOnPath(EXE, env.PATH ?? '');
  if (onPath) return { path: onPath, source: 'PATH' };
  const built = join(goInstallDir(env), EXE);
  if (isExecutableFile(built)) return { path: built, source: 'project cache' };
  const downloaded = findDownloaded(sdkDownloadDir(env));
  return downloaded ? { path: downloaded, source: 'project cache' } : undefined;
}

const SDK_DOWNLOAD_SCRIPT = fileURLToPath(new URL('./sdk-download.ts', import.meta.url));

/** The SDK's download, in a child process (see sdk-download.ts for why); rejects with its reason. */
function sdkDownload(downloadDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SDK_DOWNLOAD_SCRIPT, downloadDir, TEMPORAL_CLI_VERSION], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(stderr.trim() || `exit code ${code}`))));
  });
}

function findDownloaded(dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const name = names.find((n) => n.startsWith('temporal') && n.includes(TEMPORAL_CLI_VERSION) && !n.endsWith('.downloading'));
  return name && isExecutableFile(join(dir, name)) ? join(dir, name) : undefined;
}

/** Builds the pinned CLI with Go into a scratch folder, then moves it into the cache in one step. */
function goInstall(go: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const target = goInstallDir(env);
  const scratch = `${target}.building-${process.pid}`;
  mkdirSync(scratch, { recursive: true });
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from source with Go (go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}),\n` +
      `because no prebuilt CLI could be found or downloaded. The first build takes ${FIRST_BUILD_ESTIMATE};\n` +
      `later ones reuse Go's build cache. The result is kept in ${target} for every clone on this machine.`,
  );
  const started = Date.now();
  let modules = 0;
  let packages = 0;
  let partial = '';
  let lastLines: string[] = [];
  return new Promise<string>((resolve, reject) => {
    // -v names each package as it is compiled: the progress counter below.
    const child = spawn(go, ['install', '-v', `${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...env, GOBIN: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onOutput = (chunk: Buffer) => {
      const text = partial + String(chunk);
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      const complete = lines.filter((l) => l.trim() !== '');
      modules += complete.filter((l) => l.startsWith('go: downloading ')).length;
      packages += complete.filter((l) => !l.startsWith('go: ')).length;
      lastLines = [...lastLines, ...complete].slice(-5);
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
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
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const done = () => {
      clearInterval(ticker);
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGTERM', interrupted);
    };
    child.on('error', (error) => {
      done();
      rmSync(scratch, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (code) => {
      done();
      const built = join(scratch, EXE);
      if (code !== 0 || !isExecutableFile(built)) {
        rmSync(scratch, { recursive: true, force: true });
        reject(new Error(`exit code ${code}: ${[...lastLines, partial].filter(Boolean).slice(-5).join(' | ')}`));
        return;
      }
      mkdirSync(target, { recursive: true });
      renameSync(built, join(target, EXE));
      rmSync(scratch, { recursive: true, force: true });
      log(`Built the Temporal CLI ${TEMPORAL_CLI_VERSION} in ${elapsed(started)}: ${join(target, EXE)}`);
      resolve(join(target, EXE));
    });
  });
}

export function findOnPath(name: string, pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
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
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
