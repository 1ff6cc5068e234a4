// npm run abuse:third-party -- [calls, default 5000] [at once, default 50]: a careless client dropping slow calls
// to a real Server B process (docs/performance.md); exits 1 if its RSS reached 200 MB or a /ping took 100 ms.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusResponse } from '../shared/contract.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import { inParallel } from './support/in-parallel.ts';

const RSS_LIMIT_MB = 200;
const PING_LIMIT_MS = 100;

const [calls = 5000, concurrency = 50] = process.argv.slice(2).map(Number);
if (!Number.isInteger(calls) || !Number.isInteger(concurrency) || calls < 1 || concurrency < 1) {
  console.error('Usage: npm run abuse:third-party -- [calls >= 1] [at once >= 1]');
  process.exit(2);
}

const serverB = spawn(process.execPath, [fromProjectRoot('server-b/index.ts')], {
  env: { ...process.env, SERVER_B_PORT: '0', SERVER_B_DB: ':memory:', SERVICE_TOKEN: '', LOG_LEVEL: 'info', THIRD_PARTY_FAILURE_RATE: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let url: string | undefined;
for await (const line of createInterface({ input: serverB.stdout })) {
  url = /"url":"([^"]+)"/.exec(line)?.[1];
  if (url) break;
}
if (!url) throw new Error('server-b exited before it listened (its stderr above says why)');
// From here on its (per-request) lines are read and dropped, so the pipe never fills.
serverB.stdout.resume();

let peakRss = 0;
let slowestPing = 0;
let running = true;
const monitor = (async () => {
  while (running) {
    const t0 = performance.now();
    await fetch(`${url}/ping`);
    slowestPing = Math.max(slowestPing, performance.now() - t0);
    const status = (await (await fetch(`${url}/status`)).json()) as StatusResponse;
    peakRss = Math.max(peakRss, status.memory.rssBytes);
    await sleep(50);
  }
})();

/** Sends one 20 s call and drops the connection as soon as the request is written. */
function dropOne(): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ query: 'dropped', latencyMs: 20_000 });
    const req = request(`${url}/third-party-api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', () => resolve());
    req.end(body, () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 5),
    );
  });
}

const started = performance.now();
await inParallel(calls, concurrency, dropOne);
await sleep(500);
running = false;
await monitor;
const stats = ((await (await fetch(`${url}/status`)).json()) as StatusResponse).endpoints['POST /third-party-api'];
serverB.kill('SIGTERM');

const rssMb = peakRss / 1024 / 1024;
console.log(`${calls} dropped calls, ${concurrency} at once, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`server-b peak RSS ${rssMb.toFixed(0)} MB (limit ${RSS_LIMIT_MB}), slowest /ping ${slowestPing.toFixed(1)} ms (limit ${PING_LIMIT_MS})`);
console.log(`third-party calls: ${stats?.requests ?? 0} seen, ${stats?.aborted ?? 0} abandoned by the client, ${stats?.inFlight ?? 0} still in flight`);
process.exitCode = rssMb < RSS_LIMIT_MB && slowestPing < PING_LIMIT_MS ? 0 : 1;
