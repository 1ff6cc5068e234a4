// The client's verbs about one run, as a person at two terminals uses them: a publish run waits for a
// review and says how to decide it; `status`, `approve`, `reject` and `cancel` act on it from another
// process. Real client processes, a real worker, real services.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { EXIT } from '../temporal/cli/args.ts';
import { type Finished, killLeftovers, runNode } from './support/processes.ts';
import { startServerA, startServerB } from './support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from './support/temporal.ts';
import { workflowSuite } from './support/workflow-suite.ts';

afterEach(killLeftovers);

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} client verbs for one run`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  /** Starts `run "…" publish --review` and resolves, once it waits for a review, with its id and its end. */
  async function waitingRun(env: Record<string, string>) {
    let announced!: (id: string) => void;
    const waiting = new Promise<string>((resolve) => (announced = resolve));
    const finished = runNode('temporal/client.ts', ['Quarterly numbers', 'publish', '--review'], env, (stdout: string, _child: ChildProcess) => {
      const id = /Workflow ID\s+(\S+)/.exec(stdout)?.[1];
      if (id && stdout.includes('Waiting for a review')) announced(id);
    });
    return { workflowId: await waiting, finished };
  }
  const client = (args: string[], env: Record<string, string>): Promise<Finished> => runNode('temporal/client.ts', args, env);

  async function withStack<T>(body: (env: Record<string, string>) => Promise<T>): Promise<T> {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('cli-review');
    const env = { ...temporalEnv(taskQueue), LOG_LEVEL: 'warn' };
    return suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, () => body(env));
  }

  test('a waiting run prints how to decide it; status shows the review; approve lets it publish', async () => {
    await withStack(async (env) => {
      const { workflowId, finished } = await waitingRun(env);
      const status = await client(['status', workflowId, '--json'], env);
      expect(status.code).toBe(EXIT.completed);
      expect(JSON.parse(status.stdout)).toMatchObject({
        workflowId,
        type: 'publishWorkflow',
        status: 'RUNNING',
        review: { state: 'pending', reason: 'the client asked for a review' },
      });

      const approve = await client(['approve', workflowId, '--reviewer', 'ada', '--comment', 'numbers checked'], env);
      expect(approve.code, approve.stderr).toBe(EXIT.completed);
      expect(approve.stdout).toContain(`Approval recorded by ${workflowId}: review approved by ada.`);

      const run = await finished;
      expect(run.code).toBe(EXIT.completed);
      expect(run.stdout).toContain(`      approve: npx node temporal/client.ts approve ${workflowId} --reviewer NAME [--comment TEXT]`);
      expect(run.stdout).toContain('Published (saga completed)');
    });
  });

  test('reject ends the run as rejected by the review, everything undone; a second decision is refused with exit 1', async () => {
    await withStack(async (env) => {
      const { workflowId, finished } = await waitingRun(env);
      expect((await client(['reject', workflowId, '--reviewer', 'bob', '--comment', 'not yet public'], env)).code).toBe(EXIT.completed);
      const run = await finished;
      expect(run.stdout).toContain('Rejected by the review (a business outcome; everything was undone)');
      expect(run.stdout).toContain('  Reason       Rejected by bob: not yet public');
      const again = await client(['approve', workflowId, '--reviewer', 'ada'], env);
      expect(again.code).toBe(EXIT.failed);
      expect(again.stderr).toContain(`The run ${workflowId} has already ended (COMPLETED): there is nothing to decide or cancel any more.`);
    });
  });

  test('cancel: the run undoes what it did, the canceller reports it, and the watching client ends with exit 1', async () => {
    await withStack(async (env) => {
      const { workflowId, finished } = await waitingRun(env);
      const cancel = await client(['cancel', workflowId], env);
      expect(cancel.code, cancel.stderr).toBe(EXIT.completed);
      expect(cancel.stdout).toContain('withdraw-publication  undone');
      expect(cancel.stdout).toContain('release-record        undone');
      expect(cancel.stdout).toContain('The run ended cancelled.');
      const run = await finished;
      expect(run.code).toBe(EXIT.failed);
      expect(run.stdout).toContain('Workflow was cancelled at step "review"');
    });
  });

  test('cancel with no worker polling: the request stands, the client says so and does not wait forever', async () => {
    const taskQueue = uniqueTaskQueue('cli-cancel-no-worker');
    const env = { ...temporalEnv(taskQueue), LOG_LEVEL: 'warn' };
    const handle = await suite.client.workflow.start('publishWorkflow', { taskQueue, workflowId: `orphan-${taskQueue}`, args: [{ data: 'Fresh news' }] });
    const cancel = await client(['cancel', handle.workflowId], env);
    expect(cancel.code).toBe(EXIT.completed);
    expect(cancel.stdout).toContain(`No worker polls task queue "${taskQueue}": the run stops (undoing what it did) once one does.`);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
  });

  test.each([
    [['approve', 'no-such-run', '--reviewer', 'ada'], EXIT.failed, 'No run with workflow id no-such-run in namespace'],
    [['status', 'no-such-run'], EXIT.failed, 'No run with workflow id no-such-run in namespace'],
    [['cancel', 'no-such-run'], EXIT.failed, 'No run with workflow id no-such-run in namespace'],
    [['approve', 'any', '--reviewer', ''], EXIT.usage, '"reviewer" must name the reviewer'],
  ])('%j → exit %i naming the problem', async (args, code, message) => {
    await withStack(async (env) => {
      const run = await client(args, env);
      expect(run.code).toBe(code);
      expect(run.stderr).toContain(message);
    });
  });

  test('a decision for a run that has ended is refused: exit 1 saying it ended', async () => {
    await withStack(async (env) => {
      const handle = await suite.client.workflow.start('publishWorkflow', {
        taskQueue: env.TEMPORAL_TASK_QUEUE!,
        workflowId: `plain-${env.TEMPORAL_TASK_QUEUE}`,
        args: [{ data: 'Fresh news' }],
      });
      await handle.result();
      // Closed now; a run still going would answer the same through its validator ("needs no review").
      const run = await client(['approve', handle.workflowId, '--reviewer', 'ada'], env);
      expect(run.code).toBe(EXIT.failed);
      expect(run.stderr).toContain('has already ended (COMPLETED)');
    });
  });
});
