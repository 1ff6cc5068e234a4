// Ports, tried directly: one TCP connection attempt to host:port, to tell "nothing listens there" at once
// (the gRPC client would keep retrying a refused port until its deadline), and a free port to listen on.
import { connect, createServer } from 'node:net';

/** `port` if it is free on `host` (0: any free port), as bound; rejects when it is taken. A port found
 *  free can be taken by someone else before it is used: callers start at once, which keeps that window small. */
export function freePort(port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(port, host, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** 'open', or why not ("connection refused", "no answer within 2000 ms", ...). */
export function probeTcp(address: string, timeoutMs = 2_000): Promise<'open' | string> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done('open'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ECONNREFUSED' ? 'connection refused (nothing listens there)' : `${error.code ?? error.message}`),
    );
  });
}
