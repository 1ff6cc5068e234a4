// The saga (publishWorkflow) on a real server with real services, each path checked against the
// services' own state afterwards: every record ends committed with a published publication, or released
// with its publication withdrawn or never created; and no step's effect ever happens twice.
import { type ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { describe, expect, test } from 'vitest';
import type { RecordList } from '../../server-a/contract.ts';
import type { PublicationList } from '../../server-b/contract.ts';
import type { RunningService } from '../../shared/service/serve.ts';
import type { FaultPlan } from '../../shared/service/idempotency.ts';
import { FailureType } from '../../temporal/failure-types.ts';
import { WORKFLOW_KINDS } from '../../temporal/workflows/kinds.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import type { PublishResult } from '../../temporal/workflows/publish.ts';
import { activitiesOf, countEvents, eventsOf } from '../support/history.ts';
import { killLeftovers, startNode } from '../support/processes.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, temporalEnv, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

/** What a run left in the services: its records and publications, found by the keys it created them with. */
async function stateOf(a: RunningService, b: RunningService, workflowId: string) {
  const mine = <T extends { createdByKey: string }>(items: T[]) => items.filter((x) => x.createdByKey.startsWith(`${workflowId}/`));
  const records = mine(((await (await fetch(`${a.url}/records`)).json()) as RecordList).items);
  const publications = mine(((await (await fetch(`${b.url}/publications`)).json()) as PublicationList).items);
  return { records: records.map((r) => r.status), publications: publications.map((p) => p.status) };
}

/** Answers `status` to every mutating request whose path matches, before the service sees it. */
function refuse(path: RegExp, status: number, next?: RequestHandler): RequestHandler {
  return (req, res, pass) => {
    if (req.method !== 'GET' && path.test(req.path)) {
      res.status(status).json({ error: { code: status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'INVALID_BODY', message: `refused by the test (${status})` } });
      return;
    }
    if (next) next(req, res, pass);
    else pass();
  };
}

/** Notes, for each request whose path matches (answered or not), whether the service replayed a stored answer. */
function replayRecorder(path: RegExp, seen: string[]): RequestHandler {
  return (req, res, next) => {
    if (path.test(req.path)) res.on('close', () => seen.push(res.getHeader('idempotent-replayed') === 'true' ? 'replayed' : 'first'));
    next();
  };
}

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} the publish saga`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  async function run(input: { data: string; outageLimit?: string }, services: { a: RunningService; b: RunningService }) {
    const taskQueue = uniqueTaskQueue('saga');
    return suite.withWorker(taskQueue, { 'server-a': services.a.url, 'server-b': services.b.url }, async () => {
      const handle = await suite.start('publish', taskQueue, input);
      const outcome: { result?: PublishResult; error?: unknown } = await handle.result().then(
        (result) => ({ result: result as unknown as PublishResult }),
        (error: unknown) => ({ error }),
      );
      return { handle, ...outcome, events: await eventsOf(handle), progress: await handle.query(progressQuery) };
    });
  }

  test('success: the record ends committed and the publication published, each created once', async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const { handle, result, events } = await run({ data: 'Fresh news about the order' }, { a, b });
    expect(result).toMatchObject({ workflow: 'publishWorkflow', outcome: 'published', rejection: null, compensations: [] });
    expect(result?.record).toMatchObject({ status: 'committed' });
    expect(result?.publication).toMatchObject({ status: 'published', recordId: result?.record?.id, content: 'fresh news about the order' });
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['committed'], publications: ['published'] });
    expect(activitiesOf(events).map((x) => x.type)).toEqual([
      'validateData',
      'processInternal',
      'reserveRecord',
      'submitPublication',
      'confirmPublication',
      'commitRecord',
    ]);
  });

  test("Server B's rules refuse the content: the run completes as rejected, and the record is released", async () => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const { handle, result, progress } = await run({ data: 'Cheap spam offer' }, { a, b });
    expect(result).toMatchObject({
      outcome: 'rejected',
      rejection: { rule: 'no-banned-words', message: expect.stringContaining('the content contains "spam"') },
      compensations: [
        { name: 'withdraw-publication', outcome: 'nothing-to-undo', detail: '' },
        { name: 'release-record', outcome: 'undone', detail: expect.stringMatching(/^rec_/) },
      ],
    });
    expect(result?.timings.find((t) => t.step === 'submit-publication')?.status).toBe('failed');
    expect(progress.status).toBe('completed');
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: [] });
  });

  test('Server B down past the outage limit during submit: the record is released once B answers again, and the run fails with the cause', async () => {
    const a = await suite.track(startServerA());
    const reserved = await startServerB();
    await reserved.close();
    const taskQueue = uniqueTaskQueue('saga-b-down');
    const { handle, error, progress } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': reserved.url }, async () => {
      const handle = await suite.start('publish', taskQueue, { data: 'Fresh news', outageLimit: '2s' });
      // Past the limit the submit step has failed and the compensations wait for Server B.
      await expect
        .poll(async () => (await handle.query(progressQuery)).steps.find((s) => s.step === 'submit-publication')?.status, { timeout: 30_000 })
        .toBe('failed');
      await suite.track(startServerB({ port: reserved.port }));
      return { handle, error: await failureOf(handle), progress: await handle.query(progressQuery) };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.serviceUnavailable);
    expect(cause.message).toMatch(/^server-b stayed unavailable for longer than the outage limit of 2 s: server-b POST \/publications failed/);
    expect(progress.compensations.map((c) => [c.name, c.outcome])).toEqual([
      ['withdraw-publication', 'nothing-to-undo'],
      ['release-record', 'undone'],
    ]);
    const b = { url: reserved.url } as RunningService;
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: [] });
  });

  test("a step that applied its change but never answered is still undone: the compensation finds it by the step's key", async () => {
    const a = await suite.track(startServerA());
    // Every answer to a submit is lost after the publication was created; the list and withdraw still work.
    const faults: FaultPlan = { afterApply: 'drop', endpoints: ['POST /publications'], loseReplays: true };
    const b = await suite.track(startServerB({ faults }));
    const { handle, error, progress } = await run({ data: 'Fresh news', outageLimit: '2s' }, { a, b });
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(FailureType.serviceUnavailable);
    expect(progress.compensations.map((c) => [c.name, c.outcome])).toEqual([
      ['withdraw-publication', 'undone'],
      ['release-record', 'undone'],
    ]);
    // One publication, created by the first attempt, found and withdrawn; the retries did not add more.
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['withdrawn'] });
  });

  test('a commit whose first answer is lost is retried and gets the stored answer: committed once, the run published', async () => {
    const faults: FaultPlan = { afterApply: '503', endpoints: ['POST /records/:id/commit'], times: 1 };
    const replays: string[] = [];
    const a = await suite.track(startServerA({ faults, before: replayRecorder(/\/commit$/, replays) }));
    const b = await suite.track(startServerB());
    const { handle, result, events } = await run({ data: 'Fresh news' }, { a, b });
    expect(result).toMatchObject({ outcome: 'published', record: { status: 'committed' }, compensations: [] });
    expect(activitiesOf(events).find((x) => x.type === 'commitRecord')).toMatchObject({ attempt: 2, outcome: 'completed' });
    // The retry was answered from the stored first answer, not by committing again.
    expect(replays).toEqual(['first', 'replayed']);
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['committed'], publications: ['published'] });
  });

  test('a commit that landed although none of its answers came back: the saga asks Server A, and the run is published', async () => {
    const faults: FaultPlan = { afterApply: 'drop', endpoints: ['POST /records/:id/commit'], loseReplays: true };
    const a = await suite.track(startServerA({ faults }));
    const b = await suite.track(startServerB());
    const { handle, result } = await run({ data: 'Fresh news', outageLimit: '2s' }, { a, b });
    expect(result).toMatchObject({ outcome: 'published', record: { status: 'committed' }, compensations: [] });
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['committed'], publications: ['published'] });
  });

  test('Server A failing every commit past the outage limit: the record is released first, then the publication withdrawn', async () => {
    // 503 before anything is applied: the commit never happens.
    const a = await suite.track(startServerA({ before: refuse(/\/commit$/, 503) }));
    const b = await suite.track(startServerB());
    const { handle, error, progress } = await run({ data: 'Fresh news', outageLimit: '2s' }, { a, b });
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(FailureType.serviceUnavailable);
    expect(progress.compensations.map((c) => [c.name, c.outcome])).toEqual([
      ['release-record', 'undone'],
      ['withdraw-publication', 'undone'],
    ]);
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['withdrawn'] });
  });

  test('an undo the service refuses for good fails the run as CompensationFailed, and the other undos still run', async () => {
    const a = await suite.track(startServerA());
    // Confirm keeps failing (so the saga compensates), and withdrawing is refused outright.
    const b = await suite.track(startServerB({ before: refuse(/\/confirm$/, 503, refuse(/^\/publications\/[^/]+$/, 400)) }));
    const { handle, error, progress } = await run({ data: 'Fresh news', outageLimit: '2s' }, { a, b });
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.compensationFailed);
    expect(cause.message).toMatch(/^The saga could not undo withdraw-publication \(server-b DELETE \/publications\/pub_\S+ answered HTTP 400/);
    expect(progress.compensations.map((c) => [c.name, c.outcome])).toEqual([
      ['withdraw-publication', 'failed'],
      ['release-record', 'undone'],
    ]);
    expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['pending'] });
  });

  // Two worker processes start here, each bundling the workflows: on a loaded 2-core machine that alone can take a minute.
  test('the worker killed between steps: a new worker finishes the saga, and no step applies twice', { timeout: 240_000 }, async () => {
    const held = gate(/^\/publications\/[^/]+\/confirm$/);
    const replays: string[] = [];
    const a = await suite.track(startServerA());
    const b = await suite.track(
      startServerB({
        before: (req, res, next) => replayRecorder(/\/confirm$/, replays)(req, res, () => held.middleware(req, res, next)),
      }),
    );
    const taskQueue = uniqueTaskQueue('saga-worker-killed');
    const env = { ...temporalEnv(taskQueue), SERVER_A_URL: a.url, SERVER_B_URL: b.url, LOG_LEVEL: 'info' };
    try {
      const first = startNode('temporal/worker.ts', [], env);
      await first.waitFor('"msg":"worker polling"', 120_000);
      const handle = await suite.client.workflow.start(WORKFLOW_KINDS.publish.workflow, {
        taskQueue,
        workflowId: `publish-${taskQueue}`,
        args: [{ data: 'Fresh news about the order' }],
      });
      await held.arrived; // the confirm request is at Server B; its worker dies before the answer
      process.kill(first.pid, 'SIGKILL');
      await first.exited;
      held.release();
      const second = startNode('temporal/worker.ts', [], env);
      await second.waitFor('"msg":"worker polling"', 120_000);
      const result = (await handle.result()) as PublishResult;
      expect(result.outcome).toBe('published');
      const events = await eventsOf(handle);
      expect(countEvents(events, 'workflowTaskFailedEventAttributes')).toBe(0);
      expect(activitiesOf(events).filter((x) => x.type === 'confirmPublication')).toHaveLength(1);
      // The dead worker's confirm was applied; the new worker's retry got its stored answer.
      expect(replays).toEqual(['first', 'replayed']);
      expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['committed'], publications: ['published'] });
    } finally {
      killLeftovers();
    }
  });
});
