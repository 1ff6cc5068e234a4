// The adaptive workflow, whose plan grows from the data: its rules without a server, then runs on a real
// Temporal server with the real services: each plan's steps in order, the progress query showing steps as
// soon as they are decided, and a run that fails before anything is decided (its input boundary is in
// input-boundary.test.ts).
import type { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import type { ProcessInternalResponse } from '../../server-a/contract.ts';
import type { EnrichResponse } from '../../server-b/contract.ts';
import { resultLines } from '../../temporal/cli/render.ts';
import { FailureType } from '../../temporal/failure-types.ts';
import { afterEnrich, afterProcessInternal, CATEGORY_STEPS, FIRST_STEPS, LONG_TEXT_WORDS, unplanned } from '../../temporal/workflows/adaptive-plan.ts';
import { progressQuery } from '../../temporal/workflows/steps.ts';
import { DATA_CATEGORY } from '../../temporal/workflows/search-attributes.ts';
import type { AdaptiveResult } from '../../temporal/workflows/adaptive.ts';
import type { AdaptiveStep } from '../../temporal/workflows/adaptive-plan.ts';
import type { StepProgress } from '../../temporal/workflows/steps.ts';
import { ADAPTIVE_PLANS } from '../support/adaptive-plans.ts';
import { activitiesOf, eventsOf } from '../support/history.ts';
import { gate, startServerA, startServerB } from '../support/services.ts';
import { TEMPORAL_TAG, temporal, uniqueTaskQueue } from '../support/temporal.ts';
import { failureOf, workflowSuite } from '../support/workflow-suite.ts';

const ACTIVITY_OF: Record<AdaptiveStep, string> = {
  validate: 'validateData',
  enrich: 'enrichData',
  'process-internal': 'processInternal',
  'process-external': 'processExternal',
  'third-party': 'callThirdParty',
  digest: 'processInternal',
};

const progressOf = (steps: AdaptiveStep[], status: StepProgress['status']) => steps.map((step) => ({ step, status }));

describe("the adaptive workflow's rules, without a server", () => {
  const enrichment = (category: EnrichResponse['category'], keywords = ['order']) => ({ category, keywords }) as EnrichResponse;
  const internal = (wordCount: number) => ({ wordCount }) as ProcessInternalResponse;

  test("the enrichment's category decides the steps after enrich, each with its reason", () => {
    expect(afterEnrich(enrichment('greeting'))).toEqual([]);
    expect(afterEnrich(enrichment('commerce'))).toEqual([
      { step: 'process-internal', reason: 'category commerce' },
      { step: 'process-external', reason: 'category commerce' },
    ]);
    expect(Object.fromEntries(Object.entries(CATEGORY_STEPS))).toEqual({
      greeting: [],
      commerce: ['process-internal', 'process-external'],
      incident: ['process-internal', 'third-party'],
      question: ['third-party'],
      general: ['process-internal'],
    });
  });

  test(`a text of ${LONG_TEXT_WORDS} words or more with keywords gets a digest; a shorter one, or one without keywords, does not`, () => {
    expect(afterProcessInternal(internal(LONG_TEXT_WORDS - 1), enrichment('commerce'))).toEqual([]);
    expect(afterProcessInternal(internal(LONG_TEXT_WORDS), enrichment('commerce'))).toEqual([{ step: 'digest', reason: '20 words (20+)' }]);
    expect(afterProcessInternal(internal(40), enrichment('general', []))).toEqual([]);
  });

  test('a step already planned, or added twice at once, is planned once (the cap on the plan)', () => {
    const added = [
      { step: 'enrich', reason: 'again' },
      { step: 'digest', reason: 'first' },
      { step: 'digest', reason: 'second' },
    ] as const;
    expect(unplanned(FIRST_STEPS, added)).toEqual([{ step: 'digest', reason: 'first' }]);
  });
});

describe.skipIf(!temporal.available)(`${TEMPORAL_TAG} the adaptive workflow`, { timeout: 60_000 }, () => {
  const suite = workflowSuite();

  const plans = ADAPTIVE_PLANS.map((p) => [p.name, p.steps.join(', '), p] as const);
  test.each(plans)('%s runs %s, in that order, and nothing else', async (_name, _steps, { data, steps }) => {
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('adaptive');
    const { result, events, progress, category } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('adaptive', taskQueue, { data });
      const result = (await handle.result()) as AdaptiveResult;
      const category = (await handle.describe()).typedSearchAttributes.get(DATA_CATEGORY);
      return { result, events: await eventsOf(handle), progress: await handle.query(progressQuery), category };
    });

    expect(result.workflow).toBe('adaptiveWorkflow');
    expect(result.plan.map((p) => p.step)).toEqual(steps);
    expect(result.timings.map((t) => [t.step, t.status])).toEqual(steps.map((step) => [step, 'completed']));
    expect(activitiesOf(events).map((x) => [x.type, x.attempt, x.outcome])).toEqual(steps.map((step) => [ACTIVITY_OF[step], 1, 'completed']));
    expect(progress).toMatchObject({ workflow: 'adaptiveWorkflow', status: 'completed', currentStep: null, completedSteps: steps });
    expect(progress.steps).toMatchObject(progressOf(steps, 'completed'));
    expect(category).toBe(result.enrichment.category);
    // A step that was not planned has no result; one that was has its own.
    const resultOf: Record<Exclude<AdaptiveStep, 'validate' | 'enrich'>, unknown> = {
      'process-internal': result.internal,
      'process-external': result.external,
      'third-party': result.thirdParty,
      digest: result.digest,
    };
    for (const [step, value] of Object.entries(resultOf)) expect([step, value === null]).toEqual([step, !steps.includes(step as AdaptiveStep)]);
    expect(result.validation).toEqual({ valid: true, errors: [] });
  });

  test("a long order: the category adds both processings, and process-internal's word count adds the digest of the keywords", async () => {
    const { data } = ADAPTIVE_PLANS.find((p) => p.name === 'adaptive-digest')!;
    const a = await suite.track(startServerA());
    const b = await suite.track(startServerB());
    const taskQueue = uniqueTaskQueue('adaptive-digest');
    const { result, events } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('adaptive', taskQueue, { data });
      return { result: (await handle.result()) as AdaptiveResult, events: await eventsOf(handle) };
    });

    expect(result.plan).toEqual([
      { step: 'validate', reason: 'every run' },
      { step: 'enrich', reason: 'every run' },
      { step: 'process-internal', reason: 'category commerce' },
      { step: 'process-external', reason: 'category commerce' },
      { step: 'digest', reason: '29 words (20+)' },
    ]);
    expect(result.enrichment).toMatchObject({ category: 'commerce', keywords: ['office', 'order', 'accounting', 'blue', 'friday'] });
    expect(result.internal).toMatchObject({ wordCount: 29 });
    expect(result.digest).toMatchObject({ normalized: 'office order accounting blue friday', wordCount: 5 });
    // Server B echoed the hash Server A computed for the full text.
    expect(result.external?.contentHash).toBe(result.internal?.contentHash);
    const calls = activitiesOf(events);
    expect(calls.find((x) => x.type === 'processExternal')?.input).toEqual({ data, contentHash: result.internal?.contentHash });
    expect(calls.filter((x) => x.type === 'processInternal').map((x) => x.input)).toEqual([{ data }, { data: 'office order accounting blue friday' }]);

    expect(resultLines(result)).toEqual([
      'Plan (5 steps, decided as the run went)',
      '  validate          every run            valid',
      expect.stringMatching(/^ {2}enrich {12}every run {12}commerce \(score \d+\/100, keywords office, order, accounting, blue, friday\)$/),
      expect.stringMatching(/^ {2}process-internal {2}category commerce {4}29 words, hash [0-9a-f]{16}…$/),
      expect.stringMatching(/^ {2}process-external {2}category commerce {4}reference EXT-[0-9A-F]{12} \(same hash on both servers\)$/),
      expect.stringMatching(/^ {2}digest {12}29 words \(20\+\) {7}"office order accounting blue friday", hash [0-9a-f]{16}…$/),
      expect.stringMatching(/^Completed in \d+ ms of workflow time$/),
    ]);
  });

  test('the progress query shows each decided step as pending at once, and the plan growing step by step', async () => {
    const { data } = ADAPTIVE_PLANS.find((p) => p.name === 'adaptive-digest')!;
    const internal = gate('/process-internal');
    const external = gate('/process-external');
    const a = await suite.track(startServerA({ before: internal.middleware }));
    const b = await suite.track(startServerB({ before: external.middleware }));
    const taskQueue = uniqueTaskQueue('adaptive-progress');
    const seen = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': b.url }, async () => {
      const handle = await suite.start('adaptive', taskQueue, { data });
      const statuses = async () => (await handle.query(progressQuery)).steps.map(({ step, status }) => ({ step, status }));
      await internal.arrived;
      const whileProcessing = await statuses();
      internal.release();
      await external.arrived;
      const whileExternal = await statuses();
      external.release();
      await handle.result();
      return { whileProcessing, whileExternal, atTheEnd: await statuses() };
    });

    // The category has added both processings; the digest is not decided until process-internal answers.
    expect(seen.whileProcessing).toEqual([
      ...progressOf(['validate', 'enrich'], 'completed'),
      { step: 'process-internal', status: 'running' },
      { step: 'process-external', status: 'pending' },
    ]);
    expect(seen.whileExternal).toEqual([
      ...progressOf(['validate', 'enrich', 'process-internal'], 'completed'),
      { step: 'process-external', status: 'running' },
      { step: 'digest', status: 'pending' },
    ]);
    expect(seen.atTheEnd).toEqual(progressOf(['validate', 'enrich', 'process-internal', 'process-external', 'digest'], 'completed'));
  });

  test('data Server A rejects fails the run at validate, before anything else is decided', async () => {
    const a = await suite.track(startServerA());
    const taskQueue = uniqueTaskQueue('adaptive-invalid-data');
    const { error, progress } = await suite.withWorker(taskQueue, { 'server-a': a.url, 'server-b': 'http://127.0.0.1:9' }, async () => {
      const handle = await suite.start('adaptive', taskQueue, { data: '<script>' });
      return { error: await failureOf(handle), progress: await handle.query(progressQuery) };
    });
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(FailureType.validationFailed);
    expect(progress.status).toBe('failed');
    expect(progress.steps).toMatchObject([
      { step: 'validate', status: 'failed' },
      { step: 'enrich', status: 'pending' },
    ]);
  });
});
