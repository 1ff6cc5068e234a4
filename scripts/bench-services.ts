// npm run bench:services -- [requests per endpoint, default 2000] [concurrency, default 16]: throughput and latency
// of every POST endpoint of both services, started in this process, over keep-alive HTTP on 127.0.0.1.
import { createServerAApp } from '../server-a/app.ts';
import { createServerBApp } from '../server-b/app.ts';
import { createLogger } from '../shared/logger.ts';
import { summarize } from '../shared/service/metrics.ts';
import { listen } from '../shared/service/serve.ts';
import { inParallel } from './support/in-parallel.ts';

const [requests = 2000, concurrency = 16] = process.argv.slice(2).map(Number);
if (!Number.isInteger(requests) || !Number.isInteger(concurrency) || requests < 1 || concurrency < 1 || concurrency > requests) {
  console.error('Usage: npm run bench:services -- [requests per endpoint >= 1] [concurrency, 1..requests]');
  process.exit(2);
}

const silent = createLogger('bench', 'silent');
const a = await listen(createServerAApp(silent), '127.0.0.1', 0);
const b = await listen(createServerBApp(silent, { thirdParty: { latencyMs: 0, failureRate: 0 } }), '127.0.0.1', 0);
const data = 'Hello from the Temporal multi-server demo: please process this order quickly';
const cases = [
  { name: 'A POST /validate', url: `${a.url}/validate`, body: { data } },
  { name: 'A POST /process-internal', url: `${a.url}/process-internal`, body: { data } },
  { name: 'B POST /process-external', url: `${b.url}/process-external`, body: { data } },
  { name: 'B POST /enrich', url: `${b.url}/enrich`, body: { data } },
  { name: 'B POST /third-party-api (0 ms latency)', url: `${b.url}/third-party-api`, body: { query: data } },
];

console.log(`${requests} requests per endpoint, ${concurrency} concurrent, Node ${process.version}\n`);
console.log(`${'endpoint'.padEnd(40)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
for (const c of cases) {
  const body = JSON.stringify(c.body);
  const call = async () => {
    const res = await fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (!res.ok) throw new Error(`${c.name}: HTTP ${res.status}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < 200; i++) await call(); // warm-up: JIT and connection pool
  const latencies: number[] = [];
  const started = performance.now();
  await inParallel(requests, concurrency, async () => {
    const t0 = performance.now();
    await call();
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  const col = (n: number) => n.toFixed(1).padStart(8);
  console.log(`${c.name.padEnd(40)} ${String(Math.round(requests / seconds)).padStart(8)} ${col(s.p50)} ${col(s.p99)} ${col(s.max)}`);
}
await a.close();
await b.close();
