// One TCP connection attempt to host:port, to tell "nothing listens there" at once: the gRPC client
// would keep retrying a refused port until its deadline.
import { connect } from 'node:net';

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
