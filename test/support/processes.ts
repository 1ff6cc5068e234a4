// Running the project's entry points as real child processes, on the same Node as the tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Runs `node <script> <args>` to completion; `onStdout` may act (e.g. send a signal) while it runs. */
export function runNode(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  onStdout?: (stdout: string, child: ChildProcess) => void,
): Promise<Finished> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}

export interface LongRunning {
  pid: number;
  /** Exit code, once the process and its output streams are closed. */
  exited: Promise<number | null>;
  /** stdout and stderr interleaved, so far. */
  output: () => string;
  waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>;
  /** Whether any process of its group (it and everything it started) is still alive. */
  groupAlive: () => boolean;
}

const groups = new Set<number>();

/** Starts `node <script> <args>` in a process group of its own, as a terminal would run it. */
export function startNode(script: string, args: string[] = [], env: Record<string, string> = {}): LongRunning {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  groups.add(pid);
  let output = '';
  let closed = false;
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  child.on('close', () => (closed = true));
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    pid,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    output: () => output,
    groupAlive,
    waitFor: async (text, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(typeof text === 'string' ? output.includes(text) : text.test(output))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; output so far:\n${output}`);
        // A process that already ended will not print it: say so now, not at the deadline.
        if (closed) throw new Error(`the process ended before printing ${String(text)}; its output:\n${output}`);
        await sleep(50);
      }
    },
  };
}

/** For afterEach: kills whatever a test left running. */
export function killLeftovers(): void {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  running.clear();
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

/** Whether a process of this pid still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A script still running is asked to stop (SIGTERM), so that it stops what it started; it must be gone within `timeoutMs`. */
export async function stopIfRunning(run: LongRunning | undefined, timeoutMs: number): Promise<void> {
  if (!run || !alive(run.pid)) return;
  process.kill(run.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(run.pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${run.pid} did not stop within ${timeoutMs / 1000} s of SIGTERM`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
