// Runs under churn: workflows keep starting while Server B is killed twice and the worker once, each
// with SIGKILL (no graceful stop) and back within a few seconds. Every run must complete: an outage
// shorter than the outage limit is ridden out at any step, worker crashes included.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import type { MultiServerResult } from '../../temporal/workflows/types.ts';
import { activitiesOf, countEvents, eventsOf } from '../support/history.ts';
import { killLeftovers, type LongRunning, startNode } from '../support/processes.ts';
import { startServerA } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} churn`, { timeout: 180_000 }, () => {
  const suite = workflowSuite();

  test('every run completes while Server B is killed twice and the worker once', async () => {
    const a = await suite.track(startServerA());
    const portB = await freePort();
    const taskQueue = uniqueTaskQueue('churn');
    const env = {
      ...temporalEnv(taskQueue),
      SERVER_B_PORT: String(portB),
      SERVER_A_URL: a.url,
      SERVER_B_URL: `http://127.0.0.1:${portB}`,
      LOG_LEVEL: 'warn',
    };
    const startB = async () => {
      const b = startNode('server-b/index.ts', [], { ...env, LOG_LEVEL: 'info' });
      await b.waitFor('"msg":"listening"');
      return b;
    };
    const startWorker = async () => {
      const worker = startNode('temporal/worker.ts', [], { ...env, LOG_LEVEL: 'info' });
      await worker.waitFor('"msg":"worker polling"', 60_000);
      return worker;
    };
    const kill = async (process_: LongRunning) => {
      process.kill(process_.pid, 'SIGKILL');
      await process_.exited;
    };
    try {
      let b = await startB();
      let worker = await startWorker();
      const handles: Array<Awaited<ReturnType<typeof suite.start>>> = [];
      let stop = false;
      const starting = (async () => {
        for (let i = 0; !stop; i++) {
          handles.push(
            await suite.client.workflow.start(WORKFLOW_KINDS.multi.workflow, {
              taskQueue,
              workflowId: `churn-${taskQueue}-${i}`,
              args: [{ data: `churn run ${i}` }],
            }),
          );
          await sleep(250);
        }
      })();

      await sleep(1_500);
      await kill(b);
      await sleep(4_000);
      b = await startB();
      await sleep(1_500);
      await kill(worker);
      await sleep(3_000);
      worker = await startWorker();
      await sleep(1_500);
      await kill(b);
      await sleep(5_000);
      b = await startB();
      await sleep(1_000);
      stop = true;
      await starting;

      const results = await Promise.all(handles.map((h) => h.result() as Promise<MultiServerResult>));
      expect(results.length).toBeGreaterThanOrEqual(40);
      expect(results.filter((r) => r.summary.hashesMatch)).toHaveLength(results.length);
      // The churn was real: some steps needed more than one attempt.
      const histories = await Promise.all(handles.map(eventsOf));
      const retried = histories.flatMap(activitiesOf).filter((x) => (x.attempt ?? 1) > 1);
      expect(retried.length).toBeGreaterThan(0);
      // Each step ran as one activity per run, however often it was retried.
      for (const events of histories) expect(activitiesOf(events)).toHaveLength(6);
      expect(histories.map((events) => countEvents(events, 'workflowTaskFailedEventAttributes')).reduce((x, y) => x + y, 0)).toBe(0);
    } finally {
      killLeftovers();
    }
  });
});
