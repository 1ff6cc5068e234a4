// Free local ports, for processes this project starts on ports of its own choosing (a dev server for
// the tests or the history recorder, services in tests).
import { freePort } from '../probe-tcp.ts';
import { devUiPort } from './dev-server.ts';

export { freePort };

/** A free port P whose Web UI port (P + 1000) is free too, for a dev server. */
export async function freeDevServerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    const uiPort = devUiPort(port);
    if (uiPort <= 65_535 && (await freePort(uiPort).catch(() => 0)) === uiPort) return port;
  }
  throw new Error('found no free pair of ports for a dev server and its Web UI');
}
