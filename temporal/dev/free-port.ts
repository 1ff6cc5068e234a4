// Free local ports, for processes this project starts on ports of its own choosing (a dev server for
// the tests or the history recorder, services in tests). A port found free can be taken by someone
// else before it is used; the callers start at once, which keeps that window small.
import { createServer } from 'node:net';
import { devUiPort } from './dev-server.ts';

/** `port` if it is free (0: any free port), as bound; rejects when it is taken. */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** A free port P whose Web UI port (P + 1000) is free too, for a dev server. */
export async function freeDevServerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    const uiPort = devUiPort(port);
    if (uiPort <= 65_535 && (await freePort(uiPort).catch(() => 0)) === uiPort) return port;
  }
  throw new Error('found no free pair of ports for a dev server and its Web UI');
}
