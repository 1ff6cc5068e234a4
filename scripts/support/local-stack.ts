// A script's own stack (chaos run, cluster drill, overhead benchmark): a Temporal server (the dev server unless
// the script brings its own), Server A, Server B and one worker on free 127.0.0.1 ports, SQLite files in a
// temporary directory. Each Node process has its own process group, so a
// kill takes the whole group; one that dies on its own is started again (and counted).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { ENV_DEFAULTS } from '../../shared/config.ts';
import { PROJECT_ROOT } from '../../shared/paths.ts';
import { startDevServer } from '../../temporal/dev/dev-server.ts';
import { freeDevServerPort, freePort } from '../../temporal/dev/free-port.ts';
import { ensureTemporalCliOrExit } from '../../temporal/dev/temporal-cli.ts';

export type ProcessName = 'server-a' | 'server-b' | 'worker';

const ENTRY_POINTS: Record<ProcessName, { script: string; ready: string; readyTimeoutMs: number }> = {
  'server-a': { script: 'server-a/index.ts', ready: '"msg":"listening"', readyTimeoutMs: 30_000 },
  'server-b': { script: 'server-b/index.ts', ready: '"msg":"listening"', readyTimeoutMs: 30_000 },
  // The worker bundles the workflow code first: tens of seconds on a busy 2-core machine.
  worker: { script: 'temporal/worker.ts', ready: '"msg":"worker polling"', readyTimeoutMs: 120_000 },
};
const START_ATTEMPTS = 3;
const TAIL_LINES = 15;

export interface UnplannedExit {
  name: ProcessName;
  code: number | null;
  signal: NodeJS.Signals | null;
}

class ManagedProcess {
  child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private starting: Promise<number> | undefined;
  private killing = false;
  /** Set by kill(true): a start in progress gives up instead of trying again. */
  private abandoned = false;
  private tail: string[] = [];
  readonly name: ProcessName;
  private readonly env: Record<string, string>;
  private readonly onUnplannedExit: (exit: UnplannedExit) => void;

  constructor(name: ProcessName, env: Record<string, string>, onUnplannedExit: (exit: UnplannedExit) => void) {
    this.name = name;
    this.env = env;
    this.onUnplannedExit = onUnplannedExit;
  }

  /** Resolves with the milliseconds until ready; tries again if it dies or hangs while starting. */
  start(): Promise<number> {
    this.starting = (async () => {
      const started = performance.now();
      for (let attempt = 1; ; attempt++) {
        if (this.abandoned) throw new Error(`${this.name}: the run is stopping`);
        const problem = await this.spawnOnce();
        if (problem === undefined) return performance.now() - started;
        this.killGroup();
        await this.exited;
        if (attempt === START_ATTEMPTS) {
          throw new Error(`${this.name} did not start in ${START_ATTEMPTS} attempts (${problem}); its last lines:\n${this.tail.join('\n')}`);
        }
      }
    })();
    return this.starting;
  }

  /** SIGKILL to its whole group, once any start in progress is over (for good: the start gives up instead); resolves when it is gone. */
  async kill(forGood = false): Promise<void> {
    if (forGood) this.abandoned = true;
    else await this.starting?.catch(() => {});
    this.killGroup();
    await this.exited;
  }

  /** Synchronous, for the last moment of the script's own process. */
  killGroup(): void {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.killing = true;
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Resolves with undefined once it says it is ready, or with what went wrong. */
  private spawnOnce(): Promise<string | undefined> {
    const { script, ready, readyTimeoutMs } = ENTRY_POINTS[this.name];
    const child = spawn(process.execPath, [script], { cwd: PROJECT_ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.killing = false;
    let isReady = false;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(`not ready within ${readyTimeoutMs / 1000} s`), readyTimeoutMs);
      const onLine = (line: string) => {
        this.tail = [...this.tail, line.slice(0, 500)].slice(-TAIL_LINES);
        if (isReady || !line.includes(ready)) return;
        isReady = true;
        clearTimeout(timer);
        resolve(undefined);
      };
      for (const output of [child.stdout!, child.stderr!]) createInterface({ input: output, crlfDelay: Infinity }).on('line', onLine);
      this.exited = new Promise((gone) =>
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          if (!isReady) resolve(`exited with ${signal ?? `code ${code}`} before it was ready`);
          else if (!this.killing) this.onUnplannedExit({ name: this.name, code, signal });
          gone();
        }),
      );
    });
  }
}

/** The stack's Temporal server, whichever it is. */
export interface TemporalServer {
  address: string;
  pids: () => number[];
  /** Resolves, saying why, if it can no longer serve the stack. */
  failed: Promise<string>;
  stop: () => Promise<void>;
  stopNow: () => void;
}

/** A dev server of the stack's own (the CLI at `cliPath`, or found), its state in the stack's directory. */
export const devServer =
  (cliPath: string | undefined) =>
  async (dir: string): Promise<TemporalServer> => {
    const cli = await ensureTemporalCliOrExit(cliPath);
    const server = await startDevServer({ cli: cli.path, port: await freeDevServerPort(), namespace: 'default', dbFile: join(dir, 'temporal.db') });
    return {
      address: server.address,
      pids: () => [server.child.pid!],
      failed: server.exited.then((code) => `the Temporal dev server exited (code ${code}) during the run`),
      stop: () => server.stop(),
      // Not in a group of its own (dev-server.ts starts it), and a single process.
      stopNow: () => server.child.kill('SIGKILL'),
    };
  };

export class LocalStack {
  private readonly failure = Promise.withResolvers<never>();
  /** Rejects when the stack cannot go on: the dev server died, or a process could not be started again. */
  readonly fatal = this.failure.promise;
  readonly unplannedExits: UnplannedExit[] = [];
  private stopping = false;
  private readonly processes: Record<ProcessName, ManagedProcess>;
  readonly dir: string;
  readonly temporal: TemporalServer;
  readonly client: Client;
  readonly taskQueue: string;
  readonly urls: Record<'server-a' | 'server-b', string>;
  /** The services' shared secret: the stack runs the production profile. */
  readonly token: string;

  private constructor(
    setup: Pick<LocalStack, 'dir' | 'temporal' | 'client' | 'taskQueue' | 'urls' | 'token'>,
    env: Record<string, string>,
    say: (line: string) => void,
  ) {
    ({ dir: this.dir, temporal: this.temporal, client: this.client, taskQueue: this.taskQueue, urls: this.urls, token: this.token } = setup);
    this.fatal.catch(() => {});
    void this.temporal.failed.then((why) => this.stopping || this.failure.reject(new Error(why)));
    const restart = (exit: UnplannedExit) => {
      if (this.stopping) return;
      this.unplannedExits.push(exit);
      say(`${exit.name} exited on its own (${exit.signal ?? `code ${exit.code}`}): starting it again`);
      this.processes[exit.name].start().catch(this.failure.reject);
    };
    this.processes = {
      'server-a': new ManagedProcess('server-a', env, restart),
      'server-b': new ManagedProcess('server-b', env, restart),
      worker: new ManagedProcess('worker', env, restart),
    };
  }

  /**
   * Starts the stack (task queue `name`) on `temporal` (namespace `default`), stopped when the script exits; when it
   * cannot, says why and exits 1.
   */
  static async startOrExit(say: (line: string) => void, name: string, startTemporal: (dir: string) => Promise<TemporalServer>): Promise<LocalStack> {
    const dir = mkdtempSync(join(tmpdir(), `${name}-`));
    // Also when finding the Temporal CLI ends the process.
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    let stack: LocalStack | undefined;
    let temporal: TemporalServer | undefined;
    try {
      temporal = await startTemporal(dir);
      const [portA, portB] = [await freePort(), await freePort()];
      const urls = { 'server-a': `http://127.0.0.1:${portA}`, 'server-b': `http://127.0.0.1:${portB}` };
      const token = randomBytes(24).toString('base64url');
      // Every variable of the project is set, most to '' (its default): nothing comes from .env or the shell. This
      // stack's dev server speaks plaintext: no Temporal profile of the user's (TLS, API key) may reach it either.
      const profile = Object.keys(process.env).filter((key) => /^TEMPORAL_(PROFILE|API_KEY|TLS|GRPC_META_)/.test(key));
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        ...Object.fromEntries([...Object.keys(ENV_DEFAULTS), ...profile].map((key) => [key, ''])),
        TEMPORAL_CONFIG_FILE: '/dev/null',
        SERVER_A_PORT: String(portA),
        SERVER_B_PORT: String(portB),
        SERVER_A_URL: urls['server-a'],
        SERVER_B_URL: urls['server-b'],
        SERVER_A_DB: join(dir, 'server-a.db'),
        SERVER_B_DB: join(dir, 'server-b.db'),
        SERVICE_TOKEN: token,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: name,
        LOG_LEVEL: 'info',
        // Never the default port 9464, which the developer's own worker may be serving.
        WORKER_METRICS_PORT: 'off',
      };
      // Lazy: it connects on its first call, so nothing here can fail before the stack exists to be stopped.
      const client = new Client({ connection: Connection.lazy({ address: temporal.address }), namespace: 'default' });
      stack = new LocalStack({ dir, temporal, client, taskQueue: name, urls, token }, env, say);
      await Promise.all(Object.values(stack.processes).map((p) => p.start()));
    } catch (error) {
      await (stack ?? temporal)?.stop();
      rmSync(dir, { recursive: true, force: true });
      console.error(`The stack did not start: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
    const started = stack;
    process.on('exit', () => started.stopNow());
    return started;
  }

  pid(name: ProcessName): number | undefined {
    return this.processes[name].child?.pid;
  }

  kill(name: ProcessName): Promise<void> {
    return this.processes[name].kill();
  }

  /** Resolves with the milliseconds until ready. */
  async restart(name: ProcessName): Promise<number> {
    return this.processes[name].start().catch((error: Error) => {
      this.failure.reject(error);
      throw error;
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.client.connection.close();
    await Promise.all(Object.values(this.processes).map((p) => p.kill(true)));
    await this.temporal.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  stopNow(): void {
    this.stopping = true;
    for (const p of Object.values(this.processes)) p.killGroup();
    this.temporal.stopNow();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
