// How a script with a stack of its own ends (the chaos run, the cluster drill): Ctrl-C, SIGTERM or the end of the
// run, the first one's exit code wins, and `stop` runs once.
export function shutdownOnce(stop: () => Promise<void>, say: (line: string) => void) {
  let interrupted = false;
  let exiting: Promise<never> | undefined;
  const shutdown = (code: number): Promise<never> =>
    (exiting ??= (async () => {
      await stop();
      // A Ctrl-C also reaches the servers (same process group), whose exit may fail the run before the signal
      // handler runs here: an interrupted run exits 130 whichever came first.
      process.exit(interrupted ? 130 : code);
    })());
  // Stopping closes the client's connection under the runs still in flight; the SDK's gRPC retry timer of such a call
  // then throws "Channel has been shut down" from a timer (seen in CI after Ctrl-C, which then exited 1). While
  // stopping, that is no news; anything else still ends the process as an uncaught error would.
  process.on('uncaughtException', (error) => {
    if (exiting && error.message === 'Channel has been shut down') return;
    console.error(error);
    process.exit(1);
  });
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping the stack`);
    void shutdown(130);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, interrupt);
  return { shutdown, interrupted: () => interrupted };
}
