// The publish saga's review on a real server with real services: the Update (validated, answered), the
// Signal, the query, the two deadlines, the ReviewState search attribute, and cancellation during the
// wait, during a step and during compensation; each checked against the services' own state afterwards.
import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { describe, expect, test } from 'vitest';
import type { RecordList } from '../../server-a/contract.ts';
import type { PublicationList } from '../../server-b/contract.ts';
import type { RunningService } from '../../shared/service/serve.ts';
import { FailureType } from '../../temporal/failure-types.ts';
import { decideSignal, decideUpdate, reviewQuery } from '../../temporal/workflows/review.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import { REVIEW_STATE } from '../../temporal/workflows/search-attributes.ts';
import type { PublishInput, PublishResult } from '../../temporal/workflows/publish.ts';
import type { ReviewStatus } from '../../temporal/workflows/review.ts';
import { countEvents, eventsOf, eventTime } from '../support/history.ts';
import { startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const NEEDS_REVIEW = 'Refund request for order 42';

/** What a run left in the services, found by the keys it created them with. */
async function stateOf(a: RunningService, b: RunningService, workflowId: string) {
  const mine = <T extends { createdByKey: string }>(items: T[]) => items.filter((x) => x.createdByKey.startsWith(`${workflowId}/`));
  const records = mine(((await (await fetch(`${a.url}/records`)).json()) as RecordList).items);
  const publications = mine(((await (await fetch(`${b.url}/publications`)).json()) as PublicationList).items);
  return { records: records.map((r) => r.status), publications: publications.map((p) => p.status) };
}

/** Holds every `method` request whose path matches until released (a step, or a compensation's DELETE). */
function hold(method: string, path: RegExp) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const middleware: RequestHandler = (req, _res, next) => {
    if (req.method !== method || !path.test(req.path)) return next();
    reached();
    void released.then(() => next());
  };
  return { middleware, arrived, release };
}

const outcome = (handle: WorkflowHandle) =>
  handle.result().then(
    (result) => ({ result: result as PublishResult, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} the publish saga's review`, { timeout: 90_000 }, () => {
  const suite = workflowSuite();

  async function withReviewRun<T>(
    input: PublishInput,
    body: (handle: WorkflowHandle, services: { a: RunningService; b: RunningService }) => Promise<T>,
    before?: { a?: RequestHandler; b?: RequestHandler },
  ) {
    const a = await suite.track(startServerA(before?.a ? { before: before.a } : {}));
    const b = await suite.track(startServerB(before?.b ? { before: before.b } : {}));
    const taskQueue = uniqueTaskQueue('review');
    return suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('publish', taskQueue, input);
      return body(handle, { a, b });
    });
  }
  const pending = async (handle: WorkflowHandle) => expect.poll(async () => (await handle.query(reviewQuery)).state, { timeout: 30_000 }).toBe('pending');

  test('data that meets a review rule waits after submitting; an approval by Update answers with the state, and the run publishes', async () => {
    await withReviewRun({ data: NEEDS_REVIEW }, async (handle, { a, b }) => {
      await pending(handle);
      const waiting = await handle.query(reviewQuery);
      expect(waiting).toMatchObject({ reason: 'the text mentions "refund"', decision: null, escalatedAt: null });
      expect(Date.parse(waiting.deadline!) - Date.parse(waiting.requestedAt!)).toBe(300_000);
      expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['reserved'], publications: ['pending'] });
      expect((await handle.describe()).typedSearchAttributes.get(REVIEW_STATE)).toBe('pending');

      const answer = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: ' ada ', comment: 'fine' }] });
      expect(answer).toMatchObject({ state: 'approved', decision: { decision: 'approve', reviewer: 'ada', comment: 'fine' }, deadline: null });
      const { result } = await outcome(handle);
      expect(result).toMatchObject({ outcome: 'published', rejection: null, review: { state: 'approved', reason: 'the text mentions "refund"' } });
      expect(result?.timings.map((t) => t.step)).toEqual([
        'validate',
        'process-internal',
        'reserve-record',
        'submit-publication',
        'review',
        'confirm-publication',
        'commit-record',
      ]);
      expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['committed'], publications: ['published'] });
      expect((await handle.describe()).typedSearchAttributes.get(REVIEW_STATE)).toBe('approved');
    });
  });

  test('the validator refuses a malformed decision and a second one, before they enter the history; a rejection undoes the saga', async () => {
    await withReviewRun({ data: 'please publish', review: true }, async (handle, { a, b }) => {
      await pending(handle);
      const refusal = (decision: unknown) =>
        handle.executeUpdate(decideUpdate, { args: [decision as never] }).then(
          () => 'accepted',
          (error: unknown) => {
            expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
            const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
            expect(cause.type).toBe(FailureType.decisionRefused);
            return cause.message;
          },
        );
      expect(await refusal({ decision: 'maybe', reviewer: 'ada' })).toBe('Invalid decision: "decision" must be one of approve, reject, got "maybe"');
      expect(await refusal({ decision: 'approve', reviewer: '  ' })).toBe('Invalid decision: "reviewer" must name the reviewer (1 to 100 characters)');
      expect(await refusal('approve')).toMatch(/^Invalid decision: the decision must be a JSON object/);
      expect(await refusal({ decision: 'approve', reviewer: 'ada', a: 1, b: 2, c: 3, d: 4 })).toBe(
        'Invalid decision: unknown fields "a", "b", "c", …; a decision takes decision, reviewer, comment',
      );
      expect(await refusal({ decision: 'reject', reviewer: 'bob', comment: 'off-topic' })).toBe('accepted');
      expect(await refusal({ decision: 'approve', reviewer: 'ada' })).toBe("This run's review is already over (rejected by bob)");

      const { result } = await outcome(handle);
      expect(result).toMatchObject({
        outcome: 'rejected',
        rejection: { rule: 'review', message: 'Rejected by bob: off-topic' },
        review: { state: 'rejected' },
      });
      expect(result?.compensations.map((c) => [c.name, c.outcome])).toEqual([
        ['withdraw-publication', 'undone'],
        ['release-record', 'undone'],
      ]);
      expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['withdrawn'] });
      // Refused updates leave no trace in the history: only the one accepted decision is there.
      const events = await eventsOf(handle);
      expect(countEvents(events, 'workflowExecutionUpdateAcceptedEventAttributes')).toBe(1);
    });
  });

  test('the Signal form: a bad decision is kept as ignored with its reason, a good one decides', async () => {
    await withReviewRun({ data: NEEDS_REVIEW }, async (handle) => {
      await pending(handle);
      await handle.signal(decideSignal, { decision: 'approve', reviewer: '' });
      // Any client may send any number of bad signals, as large as it likes: what the run keeps stays small.
      for (let i = 0; i < 11; i++) await handle.signal(decideSignal, { decision: 'x'.repeat(50_000), reviewer: 'mallory' } as never);
      await handle.signal(decideSignal, { decision: 'approve', reviewer: 'carol' });
      const { result } = await outcome(handle);
      expect(result?.outcome).toBe('published');
      expect(result?.review).toMatchObject({
        state: 'approved',
        decision: { reviewer: 'carol' },
        ignoredSignalsDropped: 2,
      });
      expect(result?.review?.ignoredSignals).toHaveLength(10);
      expect(result?.review?.ignoredSignals[9]?.reason).toBe(`Invalid decision: "decision" must be one of approve, reject, got "${'x'.repeat(39)}…`);
    });
  });

  test('nobody decides: the review escalates once at the first deadline, expires at the second, and the saga undoes itself', async () => {
    await withReviewRun({ data: NEEDS_REVIEW, reviewDeadline: '2s' }, async (handle, { a, b }) => {
      const { result } = await outcome(handle);
      expect(result).toMatchObject({
        outcome: 'rejected',
        rejection: { rule: 'review', message: 'The review expired: nobody decided before the second deadline' },
      });
      const review = result!.review!;
      expect(review.state).toBe('expired');
      // By the history's own times: two timers of the 2 s deadline, both fired; the escalation came when the
      // first fired, before the second.
      const events = await eventsOf(handle);
      const timers = events.flatMap((e) => (e.timerStartedEventAttributes ? [e.timerStartedEventAttributes.startToFireTimeout] : []));
      expect(timers.map((t) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6))).toEqual([2_000, 2_000]);
      const fired = events.filter((e) => e.timerFiredEventAttributes).map(eventTime);
      expect(fired).toHaveLength(2);
      const escalatedAt = Date.parse(review.escalatedAt!);
      expect(escalatedAt - Date.parse(review.requestedAt!)).toBeGreaterThanOrEqual(2_000);
      expect(escalatedAt).toBeGreaterThanOrEqual(fired[0]!);
      expect(escalatedAt).toBeLessThan(fired[1]!);
      expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['withdrawn'] });
      expect((await handle.describe()).typedSearchAttributes.get(REVIEW_STATE)).toBe('expired');
    });
  });

  test('a run whose data meets no rule asks for no review and refuses decisions as not needed', async () => {
    await withReviewRun({ data: 'Fresh news about the order' }, async (handle) => {
      const { result } = await outcome(handle);
      expect(result).toMatchObject({ outcome: 'published', review: null });
      expect(await handle.query(reviewQuery)).toMatchObject({ state: 'not-needed' } satisfies Partial<ReviewStatus>);
      expect((await handle.describe()).typedSearchAttributes.get(REVIEW_STATE)).toBeUndefined();
    });
  });

  describe('cancellation', () => {
    const cancelledWith = async (handle: WorkflowHandle) => {
      const { error } = await outcome(handle);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      return handle.query(progressQuery);
    };

    test('during the review wait: a late decision is refused, the saga withdraws and releases, and the run ends cancelled', async () => {
      const held = hold('DELETE', /^\/publications\/[^/]+$/);
      await withReviewRun(
        { data: NEEDS_REVIEW },
        async (handle, { a, b }) => {
          await pending(handle);
          await handle.cancel();
          // While the compensation runs, the review is over: an approval now must not be accepted.
          await held.arrived;
          const late = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ada' }] }).then(
            () => 'accepted',
            (error: unknown) => ((error as WorkflowUpdateFailedError).cause as ApplicationFailure).message,
          );
          expect(late).toBe("This run's review is already over (cancelled)");
          held.release();
          const progress = await cancelledWith(handle);
          expect(progress.steps.find((s) => s.step === 'review')?.status).toBe('cancelled');
          expect(progress.compensations.map((c) => [c.name, c.outcome])).toEqual([
            ['withdraw-publication', 'undone'],
            ['release-record', 'undone'],
          ]);
          expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['withdrawn'] });
          // No longer waiting for anyone: `list --review pending` does not find it.
          expect((await handle.describe()).typedSearchAttributes.get(REVIEW_STATE)).toBe('cancelled');
        },
        { b: held.middleware },
      );
    });

    test('during a step (the submit held by Server B): the call is abandoned, what it did is undone, and the run ends cancelled', async () => {
      const held = hold('POST', /^\/publications$/);
      await withReviewRun(
        { data: NEEDS_REVIEW },
        async (handle, { a, b }) => {
          await held.arrived;
          await handle.cancel();
          const progress = await cancelledWith(handle);
          held.release();
          expect(progress.steps.find((s) => s.step === 'submit-publication')?.status).toBe('cancelled');
          expect(progress.compensations.map((c) => c.name)).toEqual(['withdraw-publication', 'release-record']);
          // The held submit arrives at Server B after the withdraw looked for it: it may create a publication
          // then, but never a published one, and the record is released.
          const state = await stateOf(a, b, handle.workflowId);
          expect(state.records).toEqual(['released']);
          expect(state.publications.filter((s) => s === 'published')).toEqual([]);
        },
        { b: held.middleware },
      );
    });

    test('during compensation: the undo is not interrupted, and the services end consistent', async () => {
      const held = hold('DELETE', /^\/publications\/[^/]+$/);
      await withReviewRun(
        { data: NEEDS_REVIEW },
        async (handle, { a, b }) => {
          await pending(handle);
          await handle.executeUpdate(decideUpdate, { args: [{ decision: 'reject', reviewer: 'dan' }] });
          await held.arrived;
          await handle.cancel();
          held.release();
          const { result } = await outcome(handle);
          // The compensation finished what it started; the rejection stands as the run's outcome.
          expect(result).toMatchObject({ outcome: 'rejected', rejection: { rule: 'review' } });
          expect(result?.compensations.map((c) => [c.name, c.outcome])).toEqual([
            ['withdraw-publication', 'undone'],
            ['release-record', 'undone'],
          ]);
          expect(await stateOf(a, b, handle.workflowId)).toEqual({ records: ['released'], publications: ['withdrawn'] });
        },
        { b: held.middleware },
      );
    });
  });
});
