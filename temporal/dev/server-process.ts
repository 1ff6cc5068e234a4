// A local server as a child process (the dev server, the self-hosted Temporal server, its UI server): started
// with its output going straight to a log file (or nowhere), known to have exited, and stopped with SIGTERM,
// then SIGKILL if it outlives the grace time. Writing to the file directly matters: output piped through this
// process stalls the server whenever this event loop is busy.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ServerProcess {
  child: ChildProcess;
  /** The exit code once it is gone (null: killed by a signal, or never started). */
  exited: Promise<number | null>;
  gone: () => boolean;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

export function startServerProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile?: string; graceMs?: number } = {},
): ServerProcess {
  const log = options.logFile === undefined ? 'ignore' : openSync(options.logFile, 'a');
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', log, log] });
  if (typeof log === 'number') closeSync(log);
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!gone) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, exited, gone: () => gone, stop };
}
