// Every message the workflows answer, defined once: the workflows set their handlers with these
// objects, and the CLI and the tests send them with the same objects (no names typed twice).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchProgress, Progress, ReviewDecision, ReviewStatus } from './types.ts';

/** Which steps have run, which is running, and how the run stands. */
export const progressQuery = defineQuery<Progress>('progress');

/** The publish saga's review: whether one is needed, pending, its deadline and the decision. */
export const reviewQuery = defineQuery<ReviewStatus>('review');

/**
 * A reviewer's decision, for callers that want an answer: the validator refuses a malformed decision,
 * or one when no review is pending (a second decision included), before anything enters the history;
 * an accepted one returns the review as it now stands.
 */
export const decideUpdate = defineUpdate<ReviewStatus, [ReviewDecision]>('decide');

/** The same decision, fire-and-forget: one that cannot apply is kept in the review's ignoredSignals. */
export const decideSignal = defineSignal<[ReviewDecision]>('decide');

/** How a batch stands: children started, running, and how the finished ones ended (batch.ts). */
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
