// npm run bench:workflows -- [workflows, default 50] [concurrency, default 10] [multi|simple, default multi]
// A small load test against the running stack (start it first: npm start or npm run dev:all). Starts
// the workflows, at most `concurrency` at a time, waits for every result, and reports throughput,
// end-to-end latency percentiles and failures.
import { Client, Connection } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { loadConfigOrExit } from '../shared/config.ts';
import { summarize } from '../shared/service/metrics.ts';
import { dataConverterFor } from '../temporal/codec/data-converter.ts';
import { connectionOptions } from '../temporal/connection-options.ts';
import { workerIsPolling } from '../temporal/task-queue.ts';
import { KIND_NAMES, WORKFLOW_KINDS, type WorkflowKind } from '../temporal/workflows/kinds.ts';

const USAGE = `Usage: npm run bench:workflows -- [workflows >= 1] [concurrency 1..workflows] [${KIND_NAMES.join('|')}]`;
const [countArg = '50', concurrencyArg = '10', mode = 'multi'] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
if (!Number.isInteger(count) || !Number.isInteger(concurrency) || count < 1 || concurrency < 1 || concurrency > count) fail(USAGE, 2);
if (!(KIND_NAMES as string[]).includes(mode)) fail(USAGE, 2);
const kind = WORKFLOW_KINDS[mode as WorkflowKind];

const config = loadConfigOrExit();
const { address, namespace, taskQueue } = config.temporal;
const connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: '5s' }).catch((error: Error) =>
  fail(`Cannot reach Temporal at ${address}: ${error.message.split('\n')[0]}. Start the stack first: npm start`, 3),
);
const client = new Client({ connection, namespace, dataConverter: dataConverterFor(config.codec.keys) });
if ((await workerIsPolling(client, taskQueue)) === false) {
  fail(`No worker polls task queue "${taskQueue}": start the stack first (npm run dev:all).`, 1);
}

console.log(`${count} × ${kind.workflow.name}, ${concurrency} at a time, task queue "${taskQueue}"...`);
const latencies: number[] = [];
const failures: string[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      try {
        await client.workflow.execute(kind.workflow as typeof WORKFLOW_KINDS.multi.workflow, {
          taskQueue,
          workflowId: `bench-${kind.idPrefix}-${nanoid()}`,
          args: [{ data: `benchmark run number ${i}` }],
        });
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const s = summarize(latencies);
console.log(`completed ${latencies.length}, failed ${failures.length}, in ${seconds.toFixed(1)} s: ${(latencies.length / seconds).toFixed(1)} workflows/s`);
console.log(`end-to-end latency ms: p50 ${s.p50}, p90 ${s.p90}, p99 ${s.p99}, max ${s.max}`);
if (failures.length > 0) console.log(`first failure: ${failures[0]}`);
await connection.close();
process.exitCode = failures.length > 0 ? 1 : 0;

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
